import { formatDuration, ProgressReporter } from '../../../src/cli/progress';
import { parseInstant } from '../../../src/time/instant';

const range = { from: parseInstant('2026-11-27T00:00:00Z'), to: parseInstant('2026-11-28T00:00:00Z') };

function reporter(isTTY: boolean, size: { columns?: number } = { columns: 200 }) {
  let now = 1_000_000;
  const written: string[] = [];
  const out = { write: (t: string) => written.push(t), isTTY, ...size };
  const progress = new ProgressReporter(['audit', 'interactiveSignIns'], range, out, { enabled: true, now: () => now, redrawMs: 10, logEveryMs: 1000 });
  return { progress, written, advance: (ms: number) => (now += ms) };
}

describe('progress line', () => {
  it('covers the range from its end backwards, per stream, and counts records, pages, rate and throttling', () => {
    const { progress, advance } = reporter(true);
    expect(progress.fraction()).toBe(0);
    progress.streamStarted('audit');
    progress.onGraphEvent({ type: 'page', url: 'u', attempts: 2, throttled: 1, records: 100, bytes: 10, hasNextLink: true });
    progress.onGraphEvent({ type: 'throttled', url: 'u', attempt: 1, retryAfterMs: 4000 });
    progress.onGraphEvent({ type: 'retry', url: 'u', attempt: 1, delayMs: 4000, reason: '429', status: 429, sharedPause: true });
    advance(10_000);
    progress.streamCheckpoint('audit', parseInstant('2026-11-27T12:00:00Z'), 500);
    expect(progress.fraction()).toBeCloseTo(0.25);
    expect(progress.totals()).toMatchObject({ records: 500, pages: 1, requests: 2, throttled: 1, pausedMs: 4000, elapsedMs: 10_000 });
    expect(progress.rate()).toBeCloseTo(50);
    progress.streamFinished('interactiveSignIns', 'empty', 0);
    // Every stream's share is known now: the one with records is half way, the empty one adds nothing to wait for.
    expect(progress.fraction()).toBeCloseTo(0.5);
    const line = progress.line(400);
    expect(line).toMatch(/^\[#{10}-{10}\] {2}50% \| 500 records \| 1 pages \| 50\/s \| throttled 1x, paused 4s \| 10s \| audit … 11-27 12:00, interactiveSignIns ∅$/);
    expect(progress.line(40)).toHaveLength(40);
  });

  it('weighs streams by their records once each has written part of the range; unfinished streams are listed first', () => {
    const { progress } = reporter(true);
    progress.streamStarted('audit');
    progress.streamStarted('interactiveSignIns');
    progress.streamCheckpoint('audit', parseInstant('2026-11-27T12:00:00Z'), 500);
    // Until every running stream has a position, the time covered, averaged.
    expect(progress.fraction()).toBeCloseTo(0.25);
    progress.streamCheckpoint('interactiveSignIns', parseInstant('2026-11-27T21:36:00Z'), 9000);
    progress.streamFinished('audit', 'done', 1000);
    // audit: 1,000 of 1,000; interactiveSignIns: 9,000 in a tenth of the range, so about 90,000 expected.
    expect(progress.fraction()).toBeCloseTo(10_000 / 91_000);
    expect(progress.line(400)).toMatch(/\| interactiveSignIns … 11-27 21:36, audit ✓$/);
  });

  it('a resumed stream counts in the totals but not in this run\'s rate', () => {
    const { progress, advance } = reporter(false);
    progress.streamResumed('audit', 'running', parseInstant('2026-11-27T18:00:00Z'), 10_000);
    advance(2000);
    progress.streamCheckpoint('audit', parseInstant('2026-11-27T17:00:00Z'), 10_200);
    expect(progress.totals().records).toBe(10_200);
    expect(progress.rate()).toBeCloseTo(100);
  });

  it('the rate looks at about the last minute', () => {
    const { progress, advance } = reporter(false);
    progress.streamStarted('audit');
    for (let i = 1; i <= 10; i++) {
      advance(30_000);
      progress.streamCheckpoint('audit', undefined, i <= 5 ? i * 3000 : 15_000 + (i - 5) * 300);
    }
    expect(progress.rate()).toBeCloseTo(10, 0);
  });

  it('redraws one line on a terminal and clears it when stopped; writes plain lines otherwise', async () => {
    const tty = reporter(true);
    tty.progress.start();
    await new Promise((r) => setTimeout(r, 50));
    tty.progress.stop();
    expect(tty.written[0].startsWith('\r\x1b[2K[')).toBe(true);
    expect(tty.written[tty.written.length - 1]).toBe('\r\x1b[2K');

    const log = reporter(false);
    log.progress.start();
    log.progress.stop();
    expect(log.written).toEqual([]);
    const disabled = new ProgressReporter(['audit'], range, { write: () => { throw new Error('wrote'); } }, { enabled: false });
    disabled.start();
    disabled.stop();
  });

  it.each([[0, 119], [undefined, 119], [80, 79]])('fits the line to a terminal of %p columns (120 when it reports none)', async (columns, width) => {
    const tty = reporter(true, columns === undefined ? {} : { columns });
    tty.progress.streamStarted('audit');
    tty.progress.streamCheckpoint('audit', parseInstant('2026-11-27T12:00:00Z'), 1_234_567);
    tty.progress.start();
    await new Promise((r) => setTimeout(r, 50));
    tty.progress.stop();
    const drawn = tty.written[0].replace('\r\x1b[2K', '');
    expect(drawn).toMatch(/^\[#{5}-{15}\] {2}25% \| 1,234,567 records \| /);
    expect(drawn.length).toBeLessThanOrEqual(width);
  });

  it('durations', () => {
    expect([formatDuration(0), formatDuration(61_000), formatDuration(3_725_000)]).toEqual(['0s', '1m01s', '1h02m']);
  });
});
