/**
 * What the chaos run waits for before it verifies: a window whose first export ends after its re-check time has its
 * re-check still to come (the product's next planner run plans it), so the run is not over until that re-check ran;
 * one that never ran is reported, not counted as late records lost. The re-check then adds what Entra published
 * behind the first export while it paged.
 */
import { newScheduledJob } from '../../src/export/planner';
import { parseInstant } from '../../src/time/instant';
import { checkWindow, problemsOf } from '../support/exportVerifier';
import { Harness, onlyStreams, startHarness } from '../support/exportHarness';
import { dueRechecks, hasPendingWork } from './chaosRun';

describe('chaos run: re-checks due', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('a window whose first export ends after its re-check time keeps the run going until its re-check has run', async () => {
    h = await startHarness({
      nowIso: '2026-11-28T11:30:00Z',
      env: { ...onlyStreams('audit'), MAX_WINDOWS_PER_TICK: '1', RECHECK_AFTER_HOURS: '4', GRAPH_PAGE_SIZE: '20', WORKER_TIME_BUDGET_SECONDS: '10' },
      simulator: { volume: { audit: 240 }, publication: { lateShare: 0.2, lateMaxMinutes: 240, republishShare: 0, splitShare: 0 } },
    });
    const created = newScheduledJob(h.config, 'audit', parseInstant('2026-11-28T10:00:00Z'), parseInstant('2026-11-28T11:00:00Z'), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(created);
    const now = () => new Date(h.clock.now);
    // The first export reads the newest pages at 11:30 and stops (time budget); its continuation runs only at 15:30,
    // after the window's re-check time (15:00).
    const first = await h.work({ jobId: created.jobId, continuation: 0 }, { faultPoint: (p) => void (p === 'afterPage' && (h.clock.now += 2000)) });
    expect(first.outcome).toBe('continued');
    h.clock.now = Date.parse('2026-11-28T15:30:00Z');
    await h.drain(first.messages);
    const exported = (await h.runtime.jobs.get(created.jobId))!;
    expect(exported).toMatchObject({ status: 'succeeded', rechecked: false });
    // Records Entra published behind the first export's position are missing until the re-check.
    expect((await checkWindow(exported, h.runtime.container, h.sim, Date.parse('2026-11-28T15:00:00Z'))).missing.length).toBeGreaterThan(0);

    // Nothing active, no retry due: only the due re-check keeps the run going, and it is reported if it never runs.
    expect(await hasPendingWork(h.runtime, h.config, now())).toBe(true);
    expect(await dueRechecks(h.runtime, h.config, now())).toEqual([expect.stringContaining(`${created.jobId}:succeeded: re-check due`)]);

    h.clock.now += 15 * 60_000;
    const rechecks = (await h.plan()).filter((m) => m.jobId === created.jobId);
    expect(rechecks).toHaveLength(1);
    await h.drain(rechecks);
    const done = (await h.runtime.jobs.get(created.jobId))!;
    expect(done).toMatchObject({ status: 'succeeded', rechecks: 1, result: { revision: 2 } });
    expect(done.lateRecordsFound).toBeGreaterThan(0);
    expect(problemsOf(await checkWindow(done, h.runtime.container, h.sim, h.clock.now))).toEqual({ jobId: created.jobId });
    expect(await dueRechecks(h.runtime, h.config, now())).toEqual([]);
  });
});
