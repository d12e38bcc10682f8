import { applyPause, EMPTY_LEDGER, MAX_AHEAD_MS, reserveGrant, sanitize } from '../../../../src/graph/budget/ledgerState';

const limits = { requests: 3, windowMs: 1000 };

describe('ledger state', () => {
  it('grants at once while fewer than `requests` are in the window, then one window after the grant `requests` back', () => {
    let state = EMPTY_LEDGER;
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { at, next } = reserveGrant(state, 100, limits);
      times.push(at);
      state = next;
    }
    expect(times).toEqual([100, 100, 100, 1100, 1100, 1100, 2100]);
    expect(state.grants).toEqual([1100, 1100, 2100]);
  });

  it('waits for a pause and for the caller’s own pause', () => {
    expect(reserveGrant({ ...EMPTY_LEDGER, pausedUntil: 5000 }, 100, limits).at).toBe(5000);
    expect(reserveGrant(EMPTY_LEDGER, 100, limits, 7000).at).toBe(7000);
  });

  it('a pause drops the grants not yet due and counts itself; a shorter pause never shortens a longer one', () => {
    const state = { grants: [100, 900, 1500], pausedUntil: 0, pauseCount: 4 };
    const paused = applyPause(state, 9000, 1000);
    expect(paused).toEqual({ grants: [100, 900], pausedUntil: 9000, pauseCount: 5 });
    expect(applyPause(paused, 2000, 1000).pausedUntil).toBe(9000);
  });

  it('keeps grants ascending when another host’s clock runs ahead', () => {
    const { at } = reserveGrant({ grants: [5000], pausedUntil: 0, pauseCount: 0 }, 4000, limits);
    expect(at).toBe(5000);
  });

  it('ignores grants and pauses that only a clock far ahead could have written', () => {
    const now = 1_000_000;
    const state = { grants: [now - 10, now + MAX_AHEAD_MS + 1], pausedUntil: now + 10 * MAX_AHEAD_MS, pauseCount: 1 };
    expect(sanitize(state, now)).toEqual({ grants: [now - 10], pausedUntil: now + MAX_AHEAD_MS, pauseCount: 1 });
  });
});
