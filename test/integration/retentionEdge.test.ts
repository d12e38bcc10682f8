/**
 * Losses are counted before they happen: windows near Entra's retention edge are warned about, windows that pass it
 * unexported become lostToRetention (counted once per stream, logged for the alert), and an empty answer at the edge
 * is never taken for an empty window.
 */
import { newScheduledJob } from '../../src/export/planner';
import { claim, fail, type JobMessage } from '../../src/export/job';
import type { Logger } from '../../src/export/logger';
import { recordLoss } from '../../src/export/retention';
import { parseInstant } from '../../src/time/instant';
import { auditFixture, auditRecord } from '../support/fixtureRecords';
import { Harness, onlyStreams, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const ONLY_AUDIT = {
  ...onlyStreams('audit'),
  // Planning stops at the back-fill start, so only the jobs the tests insert are old.
  BACKFILL_DAYS: '0',
  // The re-check pass would read the failed windows again (revisions.test.ts); here they stay as they are.
  RECHECK_ENABLED: 'false',
};
const DAY = 24 * 3600_000;

describe('retention edge', () => {
  let h: Harness;
  const lines: string[] = [];
  const log: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
  afterEach(async () => {
    lines.length = 0;
    await h?.close();
  });

  async function insertJob(start: string, hours = 1): Promise<JobMessage> {
    const startTicks = parseInstant(start);
    const job = newScheduledJob(h.config, 'audit', startTicks, startTicks + BigInt(hours) * 36_000_000_000n, new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(job);
    return { jobId: job.jobId, continuation: 0 };
  }

  it('warns hourly before the edge, then records the window lost and counts it once', async () => {
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, log, simulator: { volume: { audit: 10 } } });
    // 28 days old: within the 3-day warning period of a 30-day retention. Its Graph reads keep failing.
    const message = await insertJob('2026-10-31T10:00:00Z');
    const job = await h.runtime.jobs.get(message.jobId);
    await h.runtime.jobs.update(fail(job!, { code: 'GraphError', message: 'Graph refused the filter', at: NOW }, new Date(h.clock.now)));

    const first = await h.plan();
    expect(first).toEqual([]);
    const warnings = () => lines.filter((l) => l.includes('ExportWindowsAtRisk'));
    expect(warnings()).toEqual([expect.stringMatching(/^warn ExportWindowsAtRisk stream=audit windows=1 oldest=audit-20261031T1000Z status=failed code=GraphError lostAt=2026-11-30T10:00:00.000Z/)]);
    h.clock.now += 30 * 60_000;
    await h.plan();
    expect(warnings()).toHaveLength(1); // hourly, not every tick
    h.clock.now += 31 * 60_000;
    await h.plan();
    expect(warnings()).toHaveLength(2);

    // Two days later the window start passes the edge.
    h.clock.now = Date.parse('2026-11-30T10:05:00Z');
    await h.plan();
    const lost = await h.runtime.jobs.get(message.jobId);
    expect(lost).toMatchObject({ status: 'lostToRetention', lastError: { code: 'OutsideRetention', message: expect.stringMatching(/retention edge[\s\S]*Last error: GraphError/) } });
    expect(lines).toContainEqual(expect.stringMatching(/^error ExportWindowLost stream=audit jobId=audit-20261031T1000Z .*was=failed code=GraphError/));
    expect(await h.runtime.streams.get('audit')).toMatchObject({ lostWindows: 1 });
    await h.plan();
    expect(await h.runtime.streams.get('audit')).toMatchObject({ lostWindows: 1 });
  });

  it('a loss recorded twice (a crash between the count and the job write) is counted once', async () => {
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, log, simulator: { volume: { audit: 10 } } });
    const message = await insertJob('2026-10-20T10:00:00Z');
    const job = (await h.runtime.jobs.get(message.jobId))!;
    await h.runtime.streams.getOrCreate({ stream: 'audit', watermark: '2026-11-28T12:00:00.0000000Z' });
    await h.runtime.streams.count('audit', 'lostWindows', `lost:${job.jobId}`, 1); // the count of a worker that then died
    await recordLoss({ ...h.runtime, log }, job, { code: 'OutsideRetention', message: 'gone', at: NOW });
    expect(await h.runtime.streams.get('audit')).toMatchObject({ lostWindows: 1 });
  });

  it('a queued window past the edge is lost, counted and never queued again; a running one is left to its worker', async () => {
    h = await startHarness({ nowIso: NOW, env: { ...ONLY_AUDIT, STALE_QUEUED_MINUTES: '1' }, log, simulator: { volume: { audit: 10 } } });
    const queued = await insertJob('2026-10-25T10:00:00Z');
    const running = await insertJob('2026-10-25T11:00:00Z');
    const job = (await h.runtime.jobs.get(running.jobId))!;
    await h.runtime.jobs.update(claim(job, 'worker-1', new Date(h.clock.now + 10 * 60_000), 600));
    h.clock.now += 10 * 60_000; // stale on the queue as well
    const messages = await h.plan();
    expect(messages.map((m) => m.jobId)).not.toContain(queued.jobId);
    expect(await h.runtime.jobs.get(queued.jobId)).toMatchObject({ status: 'lostToRetention' });
    expect(await h.runtime.jobs.get(running.jobId)).toMatchObject({ status: 'running' });
    expect(await h.runtime.streams.get('audit')).toMatchObject({ lostWindows: 1 });
  });

  it('Graph refusing a window past the edge ends it lostToRetention and counts it', async () => {
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, log, simulator: { volume: { audit: 60 }, dataStartMs: Date.parse('2026-10-01T00:00:00Z') } });
    await h.plan(); // the stream's row
    const message = await insertJob('2026-10-20T00:00:00Z');
    expect(await h.work(message)).toMatchObject({ outcome: 'lostToRetention', job: { status: 'lostToRetention', lastError: { code: 'OutsideRetention' } } });
    expect(await h.runtime.streams.get('audit')).toMatchObject({ lostWindows: 1 });
  });

  it('an empty answer for a window read at the edge is recorded as lost, not as empty', async () => {
    const edge = Date.parse(NOW) - 30 * DAY;
    // The window starts 20 minutes after the edge: Graph still accepts the filter but may have dropped its records.
    const start = new Date(edge + 20 * 60_000).toISOString();
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, log, simulator: { fixtures: auditFixture([auditRecord('elsewhere', '2026-11-27T10:00:00Z')]) } });
    const atEdge = await insertJob(start);
    expect(await h.work(atEdge)).toMatchObject({ outcome: 'lostToRetention', job: { lastError: { code: 'OutsideRetention', message: expect.stringMatching(/cannot be told apart/) } } });
    // The same empty answer a day inside retention is a real empty window.
    const inside = await insertJob(new Date(edge + DAY).toISOString().replace(/:\d\d\.\d+Z$/, ':00Z'));
    expect(await h.work(inside)).toMatchObject({ outcome: 'empty' });
  });
});
