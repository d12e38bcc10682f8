/**
 * A worker holds its lease to the end: the lease is verified by an etag-guarded write of the job row before the files
 * are committed and again before the manifest is written. A worker that lost the job in between (it stalled past its
 * lease and another invocation took over) stops there and writes nothing more.
 */
import type { ExportJob, JobMessage } from '../../src/export/job';
import { newScheduledJob } from '../../src/export/planner';
import { runExportJob } from '../../src/export/worker';
import { silentLogger } from '../../src/export/logger';
import { JobConcurrencyError } from '../../src/storage/jobRepository';
import { parseInstant } from '../../src/time/instant';
import { auditFixture, auditRecord } from '../support/fixtureRecords';
import { Harness, onlyStreams, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const ONLY_AUDIT = onlyStreams('audit');

describe('the lease holds to the end', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function start(): Promise<JobMessage> {
    const records = Array.from({ length: 12 }, (_, i) => auditRecord(`r${i}`, `2026-11-27T10:${String(50 - i * 3).padStart(2, '0')}:00Z`));
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, simulator: { fixtures: auditFixture(records) } });
    const job = newScheduledJob(h.config, 'audit', parseInstant('2026-11-27T10:00:00Z'), parseInstant('2026-11-27T11:00:00Z'), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(job);
    return { jobId: job.jobId, continuation: 0 };
  }

  /**
   * Runs the message with a job table that refuses the `nth` write after the one that moved the job to `finalizing`,
   * as it refuses a worker whose lease another invocation took over (the etag no longer matches).
   */
  async function workLosingLease(message: JobMessage, nth: number): Promise<{ outcome: string; writesAfterFinalizing: number }> {
    let writesAfterFinalizing = -1;
    const jobs = new Proxy(h.runtime.jobs, {
      get(target, property, receiver) {
        if (property !== 'update') {
          const value = Reflect.get(target, property, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        }
        return async (job: ExportJob) => {
          if (writesAfterFinalizing >= 0) {
            writesAfterFinalizing++;
            if (writesAfterFinalizing === nth) throw new JobConcurrencyError(job.jobId);
          }
          const written = await target.update(job);
          if (writesAfterFinalizing < 0 && job.checkpoint?.phase === 'finalizing') writesAfterFinalizing = 0;
          return written;
        };
      },
    });
    const result = await runExportJob(
      { message, invocationId: 'stalled', dequeueCount: 1, maxDequeueCount: 5 },
      { ...h.runtime, jobs, log: silentLogger },
    );
    return { outcome: result.outcome === 'skipped' ? `skipped: ${result.reason}` : result.outcome, writesAfterFinalizing };
  }

  async function blobNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of h.runtime.container.listBlobsFlat()) names.push(blob.name);
    return names.sort();
  }

  it('a worker whose lease is gone before the commit commits no file', async () => {
    const message = await start();
    expect(await workLosingLease(message, 1)).toEqual({ outcome: 'skipped: lease lost', writesAfterFinalizing: 1 });
    expect(await blobNames()).toEqual([]);
    // The invocation that holds the job now finishes it from the same checkpoint.
    h.clock.now += (h.config.worker.leaseSeconds + 1) * 1000;
    expect(await h.work(message)).toMatchObject({ outcome: 'succeeded' });
    expect((await h.runtime.jobs.get(message.jobId))?.result?.counts.records).toBe(12);
  });

  it('a worker whose lease is gone after the commit writes no manifest', async () => {
    const message = await start();
    expect(await workLosingLease(message, 2)).toEqual({ outcome: 'skipped: lease lost', writesAfterFinalizing: 2 });
    const names = await blobNames();
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => name.endsWith('.manifest.json'))).toEqual([]);
    h.clock.now += (h.config.worker.leaseSeconds + 1) * 1000;
    expect(await h.work(message)).toMatchObject({ outcome: 'succeeded' });
    const job = await h.runtime.jobs.get(message.jobId);
    expect(await blobNames()).toContain(job?.result?.manifestBlob);
  });
});
