/**
 * The edges of a window, where a resume used to build an empty range or never finish: a record exactly at the window
 * start with a stop right after the last page's checkpoint, a burst of same-instant records longer than a page and
 * than one invocation's budget (at the start and inside the window), and a refused skiptoken once the cursor has
 * reached the window start.
 */
import { newScheduledJob } from '../../src/export/planner';
import type { FaultPoint } from '../../src/export/exportSession';
import type { JobMessage } from '../../src/export/job';
import { RetryLaterError, runExportJob, WorkerKilledError, WorkerResult } from '../../src/export/worker';
import { silentLogger } from '../../src/export/logger';
import { GraphBudgetError } from '../../src/graph/budget';
import type { GraphClient } from '../../src/graph/graphClient';
import { GraphRequestError } from '../../src/graph/errors';
import { parseInstant } from '../../src/time/instant';
import { auditFixture, auditRecord, AuditRecord, burst } from '../support/fixtureRecords';
import { checkWindow, problemsOf } from '../support/exportVerifier';
import { Harness, onlyStreams, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const START = '2026-11-27T10:00:00Z';
const END = '2026-11-27T11:00:00Z';
const ONLY_AUDIT = onlyStreams('audit');
/** One record, a burst of 1,000 at 10:30, one record: the window most of these tests read. */
const burstInWindow = (): AuditRecord[] => [auditRecord('newer', '2026-11-27T10:50:00Z'), ...burst('burst', '2026-11-27T10:30:00Z', 1000), auditRecord('older', '2026-11-27T10:10:00Z')];
/** Far more invocations than any of these windows needs: reaching it means the job stopped making progress. */
const MAX_INVOCATIONS = 60;

describe('window edges', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function start(records: AuditRecord[], env: Record<string, string> = {}): Promise<JobMessage> {
    h = await startHarness({ nowIso: NOW, env: { ...ONLY_AUDIT, ...env }, simulator: { fixtures: auditFixture(records) } });
    const job = newScheduledJob(h.config, 'audit', parseInstant(START), parseInstant(END), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(job);
    return { jobId: job.jobId, continuation: 0 };
  }

  /** Runs the message and its continuations; each Graph page costs 2 s of the invocation's budget. */
  async function runToEnd(first: JobMessage, beforeEach?: () => Promise<void>): Promise<WorkerResult[]> {
    const results: WorkerResult[] = [];
    const queue = [first];
    while (queue.length > 0) {
      if (results.length >= MAX_INVOCATIONS) throw new Error(`no end after ${results.length} invocations: the window makes no progress`);
      await beforeEach?.();
      const result = await h.work(queue.shift() as JobMessage, { faultPoint: pageCosts2s });
      results.push(result);
      queue.push(...result.messages);
    }
    return results;
  }

  /** The harness's Graph client with `getPage` replaced (the budget and everything else unchanged). */
  function graphWith(getPage: (original: GraphClient['getPage'], url: string, signal?: AbortSignal) => ReturnType<GraphClient['getPage']>): GraphClient {
    const target = h.runtime.graph;
    return new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (property === 'getPage') return (url: string, signal?: AbortSignal) => getPage(target.getPage.bind(target), url, signal);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      },
    });
  }

  const pageCosts2s = (point: FaultPoint): void => {
    if (point === 'afterPage') h.clock.now += 2000;
  };

  async function expectExact(jobId: string, records: number): Promise<void> {
    const job = await h.runtime.jobs.get(jobId);
    expect({ status: job?.status, error: job?.lastError }).toEqual({ status: 'succeeded', error: undefined });
    const check = await checkWindow(job!, h.runtime.container, h.sim, h.clock.now);
    expect(problemsOf(check)).toEqual({ jobId });
    expect(check.expected).toBe(records);
    expect(job?.result?.counts.records).toBe(records);
  }

  it('a record exactly at the window start, stopped right after the last checkpoint: the resume only finalizes', async () => {
    const records = [auditRecord('newest', '2026-11-27T10:40:00Z'), auditRecord('middle', '2026-11-27T10:20:00.5Z'), auditRecord('at-start', START)];
    const message = await start(records);
    await expect(
      h.work(message, {
        faultPoint: (point) => {
          if (point === 'afterCheckpoint') throw new WorkerKilledError(point);
        },
      }),
    ).rejects.toThrow(WorkerKilledError);
    expect((await h.runtime.jobs.get(message.jobId))?.checkpoint).toMatchObject({ phase: 'finalizing', cursor: '2026-11-27T10:00:00.0000000Z' });

    // The dead worker's lease runs out; the next delivery takes over and has nothing left to read.
    h.clock.now += (h.config.worker.leaseSeconds + 1) * 1000;
    const requestsBefore = h.sim.stats().requests;
    expect(await h.work(message)).toMatchObject({ outcome: 'succeeded' });
    expect(h.sim.stats().requests).toBe(requestsBefore);
    await expectExact(message.jobId, records.length);
  });

  it.each([
    ['at the window start', START],
    ['inside the window', '2026-11-27T10:30:00.1234567Z'],
  ])('a same-instant burst %s, longer than a page and than one invocation, finishes exactly once', async (_where, at) => {
    const records = [
      ...Array.from({ length: 20 }, (_, i) => auditRecord(`after-${i}`, `2026-11-27T10:5${Math.floor(i / 10)}:0${i % 10}Z`)),
      ...burst('burst', at, 1000),
      ...(at === START ? [] : Array.from({ length: 20 }, (_, i) => auditRecord(`before-${i}`, `2026-11-27T10:0${Math.floor(i / 10)}:1${i % 10}Z`))),
    ];
    // Pages of 50 at 2 s each against a 10 s budget: one invocation reads 5 or 6 pages, the burst fills 20.
    const message = await start(records, { GRAPH_PAGE_SIZE: '50', WORKER_TIME_BUDGET_SECONDS: '10' });
    const results = await runToEnd(message);
    expect(results.filter((r) => r.outcome === 'continued').length).toBeGreaterThanOrEqual(3);
    await expectExact(message.jobId, records.length);
  });

  it('a record republished at its own instant keeps its last version when an invocation stops between the two', async () => {
    // Graph's order (newest first, pages of 2): n0…n8 at their own instants, then the record and its republished
    // version at one instant, then older ones. The budget runs out after the fifth page, which ends between the two.
    const records = [
      ...Array.from({ length: 9 }, (_, i) => auditRecord(`n${i}`, `2026-11-27T10:5${8 - i}:00Z`)),
      auditRecord('republished', '2026-11-27T10:30:00Z', 'Update user'),
      auditRecord('republished', '2026-11-27T10:30:00Z', 'Update user (republished)'),
      ...Array.from({ length: 3 }, (_, i) => auditRecord(`o${i}`, `2026-11-27T10:1${2 - i}:00Z`)),
    ];
    const message = await start(records, { GRAPH_PAGE_SIZE: '2', WORKER_TIME_BUDGET_SECONDS: '10' });
    const first = await h.work(message, { faultPoint: pageCosts2s });
    expect(first.outcome).toBe('continued');
    await runToEnd(first.messages[0]);
    await expectExact(message.jobId, 13);
  });

  it('a record republished inside a burst keeps its last version when the budget splits the burst between the two', async () => {
    // 100 records at one instant in pages of 10 (2 s each) against a 10 s budget: the fifth page ends with the first
    // version of a record, the sixth begins with its republished version, and the invocation stops in between.
    const records = [
      ...burst('b', '2026-11-27T10:30:00Z', 49),
      auditRecord('republished', '2026-11-27T10:30:00Z', 'Update user'),
      auditRecord('republished', '2026-11-27T10:30:00Z', 'Update user (republished)'),
      ...burst('c', '2026-11-27T10:30:00Z', 49),
    ];
    const message = await start(records, { GRAPH_PAGE_SIZE: '10', WORKER_TIME_BUDGET_SECONDS: '10' });
    const first = await h.work(message, { faultPoint: pageCosts2s });
    expect(first.outcome).toBe('continued');
    await runToEnd(first.messages[0]);
    await expectExact(message.jobId, 99);
  });

  it('a burst read on through its periodic checkpoints, each splitting it, finishes exactly once', async () => {
    // Pages of 50 at 20 s each: a checkpoint every 60 s splits the burst (holding its last record back for a
    // continuation) and the invocation reads on; nothing is lost at the splits and nothing written twice.
    const records = burstInWindow();
    const message = await start(records, { GRAPH_PAGE_SIZE: '50', WORKER_TIME_BUDGET_SECONDS: '3000' });
    const result = await h.work(message, { faultPoint: (point) => { if (point === 'afterPage') h.clock.now += 20_000; } });
    expect(result.outcome).toBe('succeeded');
    await expectExact(message.jobId, records.length);
  });

  it('a burst read by invocations that each stop right after their first periodic checkpoint still finishes', async () => {
    const records = burstInWindow();
    // Pages of 50 at 20 s each: the checkpoint due every 60 s comes after three pages, well inside the 300 s budget.
    const message = await start(records, { GRAPH_PAGE_SIZE: '50', WORKER_TIME_BUDGET_SECONDS: '300' });
    const queue = [message];
    let invocations = 0;
    let stops = 0;
    while (queue.length > 0) {
      if (++invocations > MAX_INVOCATIONS) throw new Error(`no end after ${invocations - 1} invocations: the window makes no progress`);
      const next = queue.shift() as JobMessage;
      let checkpoints = 0;
      try {
        const result = await h.work(next, {
          faultPoint: (point) => {
            if (point === 'afterPage') h.clock.now += 20_000;
            if (point === 'afterCheckpoint' && ++checkpoints === 1) throw new WorkerKilledError(point);
          },
        });
        queue.push(...result.messages);
      } catch (error) {
        if (!(error instanceof WorkerKilledError)) throw error;
        // The queue delivers the message again once the dead worker's lease has run out.
        stops++;
        h.clock.now += (h.config.worker.leaseSeconds + 1) * 1000;
        queue.push(next);
      }
    }
    expect(stops).toBeGreaterThanOrEqual(5);
    await expectExact(message.jobId, records.length);
  });

  it('a burst read by invocations whose Graph request budget fails on their third page still finishes', async () => {
    const records = burstInWindow();
    const message = await start(records, { GRAPH_PAGE_SIZE: '50', WORKER_TIME_BUDGET_SECONDS: '300' });
    const queue = [message];
    let invocations = 0;
    let failures = 0;
    while (queue.length > 0) {
      if (++invocations > MAX_INVOCATIONS) throw new Error(`no end after ${invocations - 1} invocations: the window makes no progress`);
      const next = queue.shift() as JobMessage;
      let pages = 0;
      const graph = graphWith(async (getPage, url, signal) => {
        if (++pages === 3) throw new GraphBudgetError('Could not write the shared Graph request budget');
        return getPage(url, signal);
      });
      try {
        const result = await runExportJob(
          { message: next, invocationId: `budget-${invocations}`, dequeueCount: 1, maxDequeueCount: 5 },
          { ...h.runtime, graph, log: silentLogger, faultPoint: pageCosts2s },
        );
        queue.push(...result.messages);
      } catch (error) {
        if (!(error instanceof RetryLaterError)) throw error;
        failures++;
        queue.push(next);
      }
    }
    expect(failures).toBeGreaterThanOrEqual(5);
    await expectExact(message.jobId, records.length);
  });

  it('a refused skiptoken once the cursor is at the window start re-reads the start instant, then goes on', async () => {
    const records = [auditRecord('after', '2026-11-27T10:50:00Z'), ...burst('burst', START, 600)];
    const message = await start(records, { GRAPH_PAGE_SIZE: '50', WORKER_TIME_BUDGET_SECONDS: '10' });
    const first = await h.work(message, { faultPoint: pageCosts2s });
    expect(first.outcome).toBe('continued');
    const stopped = await h.runtime.jobs.get(message.jobId);
    expect(stopped?.checkpoint).toMatchObject({ phase: 'paging', cursor: '2026-11-27T10:00:00.0000000Z', resumeLink: expect.stringContaining('$skiptoken=') });

    // Graph no longer honours the link the invocation stopped at.
    const resumeLink = stopped!.checkpoint!.resumeLink!.replace(/(\$skiptoken=)[^&]+/, '$1expired');
    await h.runtime.jobs.update({ ...stopped!, checkpoint: { ...stopped!.checkpoint!, resumeLink } });
    await runToEnd(first.messages[0]);
    // The refused link is tried three times (Graph also refuses tokens transiently), then the cursor takes over.
    expect(h.sim.stats().errorsByStatus["400"]).toBe(3);
    await expectExact(message.jobId, records.length);
  });

  it('a burst re-read from its top after every lost link, far longer than one time budget, still finishes', async () => {
    // 1,000 records at one instant in pages of 50 (20 pages at 2 s) against a 10 s budget: each continuation finds
    // its link expired, re-reads the known part of the burst (soon more than the budget), then writes what is new.
    const records = burstInWindow();
    const message = await start(records, { GRAPH_PAGE_SIZE: '50', WORKER_TIME_BUDGET_SECONDS: '10' });
    let linksLost = 0;
    await runToEnd(message, async () => {
      const job = await h.runtime.jobs.get(message.jobId);
      const link = job?.checkpoint?.resumeLink;
      if (!job || !link) return;
      linksLost++;
      await h.runtime.jobs.update({ ...job, checkpoint: { ...job.checkpoint!, resumeLink: link.replace(/(\$skiptoken=)[^&]+/, '$1expired') } });
    });
    expect(linksLost).toBeGreaterThanOrEqual(3);
    await expectExact(message.jobId, records.length);
  });

  it('a link Graph refuses once is tried again, and the burst is not read again from its top', async () => {
    const records = [auditRecord('newer', '2026-11-27T10:50:00Z'), ...burst('burst', '2026-11-27T10:30:00Z', 400), auditRecord('older', '2026-11-27T10:10:00Z')];
    const message = await start(records, { GRAPH_PAGE_SIZE: '50' });
    let refused = 0;
    let calls = 0;
    const graph = graphWith(async (getPage, url, signal) => {
      calls++;
      if (url.includes('$skiptoken=') && refused === 0) {
        refused++;
        throw new GraphRequestError({ status: 400, graphCode: 'BadRequest', graphMessage: 'Invalid Skip Token, skip token is null', url, attempts: 1 });
      }
      return getPage(url, signal);
    });
    const result = await runExportJob({ message, invocationId: 'refused-once', dequeueCount: 1, maxDequeueCount: 5 }, { ...h.runtime, graph, log: silentLogger });
    expect(result.outcome).toBe('succeeded');
    expect(refused).toBe(1);
    // 402 records in pages of 50: 9 pages, and the one refused request.
    expect(calls).toBe(10);
    await expectExact(message.jobId, records.length);
  });
});
