/**
 * Every failure ends somewhere visible, whatever threw it: an unexpected error and a storage outage are retried by the
 * queue and marked `failed` (with a stable code and the ExportJobFailed line the alert reads) on the last delivery;
 * the planner retries transient failures with growing delays; a poisoned message never leaves its job queued; a
 * planner step that fails does not take the other steps' messages with it.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { newScheduledJob, planExports } from '../../src/export/planner';
import { recordPoisonedMessage } from '../../src/export/poisonedMessage';
import { AUTO_RETRY_FIRST_MS } from '../../src/export/failurePolicy';
import { claim, type JobMessage } from '../../src/export/job';
import type { Logger } from '../../src/export/logger';
import type { JobRepository } from '../../src/storage/jobRepository';
import type { StreamRepository } from '../../src/storage/streamRepository';
import { RetryLaterError, runExportJob } from '../../src/export/worker';
import { parseInstant } from '../../src/time/instant';
import { checkWindow, isClean } from '../support/exportVerifier';
import { Harness, onlyStreams, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const ONLY_AUDIT = onlyStreams('audit');

function recordingLogger(lines: string[]): Logger {
  return { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

describe('failure endings', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function insertJob(start: string, end: string): Promise<JobMessage> {
    const job = newScheduledJob(h.config, 'audit', parseInstant(start), parseInstant(end), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(job);
    return { jobId: job.jobId, continuation: 0 };
  }

  /** The run's container, except that staging a block throws `error`. */
  function failingContainer(error: () => Error): ContainerClient {
    const container = Object.create(h.runtime.container) as ContainerClient;
    container.getBlockBlobClient = (name: string) => {
      const client = h.runtime.container.getBlockBlobClient(name);
      client.stageBlock = async () => {
        throw error();
      };
      return client;
    };
    return container;
  }

  it('an unexpected error is retried by the queue, then failed with InternalError on the last delivery, then retried by the planner with growing delays', async () => {
    const lines: string[] = [];
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, simulator: { volume: { audit: 60 } } });
    const message = await insertJob('2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z');
    const broken = failingContainer(() => new TypeError('Cannot read properties of undefined (reading \'blocks\')'));
    const work = (dequeueCount: number) =>
      runExportJob({ message, invocationId: `bug-${dequeueCount}-${h.clock.now}`, dequeueCount, maxDequeueCount: 5 }, { ...h.runtime, container: broken, log: recordingLogger(lines) });
    for (const delivery of [1, 2, 3, 4]) {
      await expect(work(delivery)).rejects.toThrow(RetryLaterError);
      expect(await h.runtime.jobs.get(message.jobId)).toMatchObject({ status: 'queued', lastError: { code: 'InternalError' } });
    }
    const last = await work(5);
    expect(last).toMatchObject({ outcome: 'failed', job: { status: 'failed', lastError: { code: 'InternalError', message: expect.stringMatching(/reading 'blocks'/) } } });
    expect(lines.filter((l) => l.startsWith('error ExportJobFailed'))).toEqual([expect.stringMatching(/stream=audit jobId=audit-20261127T1000Z code=InternalError retryAt=/)]);
    const failedAt = h.clock.now;
    const firstRetryAt = Date.parse((await h.runtime.jobs.get(message.jobId))!.retryAt!);
    expect(firstRetryAt - failedAt).toBe(AUTO_RETRY_FIRST_MS);

    // Not due yet: the planner leaves it; once due, it is queued again and fails again with a doubled delay.
    expect((await h.plan()).map((m) => m.jobId)).not.toContain(message.jobId);
    h.clock.now = firstRetryAt;
    const retry = await h.plan();
    expect(retry.map((m) => m.jobId)).toContain(message.jobId);
    expect(await h.runtime.jobs.get(message.jobId)).toMatchObject({ status: 'queued', autoRetries: 1, retryAt: undefined });
    expect(await work(5)).toMatchObject({ outcome: 'failed' });
    expect(Date.parse((await h.runtime.jobs.get(message.jobId))!.retryAt!) - h.clock.now).toBe(2 * AUTO_RETRY_FIRST_MS);
  });

  it('a storage outage ends as StorageUnavailable on the last delivery, and the automatic retry finishes the window', async () => {
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, simulator: { volume: { audit: 120 } } });
    const message = await insertJob('2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z');
    const unavailable = failingContainer(() => Object.assign(new Error('The server is busy.'), { name: 'RestError', statusCode: 503, code: 'ServerBusy' }));
    const deliver = (dequeueCount: number) =>
      runExportJob({ message, invocationId: `outage-${dequeueCount}`, dequeueCount, maxDequeueCount: 5 }, { ...h.runtime, container: unavailable, log: recordingLogger([]) });
    await expect(deliver(1)).rejects.toThrow(RetryLaterError);
    const failed = await deliver(5);
    expect(failed).toMatchObject({ outcome: 'failed', job: { status: 'failed', lastError: { code: 'StorageUnavailable' }, retryAt: expect.any(String) } });

    h.clock.now = Date.parse((failed as { job: { retryAt: string } }).job.retryAt);
    await h.drain(await h.plan());
    const job = await h.runtime.jobs.get(message.jobId);
    expect(job?.status).toBe('succeeded');
    expect(isClean(await checkWindow(job!, h.runtime.container, h.sim, h.clock.now))).toBe(true);
  });

  it('a poisoned message marks its job failed (PoisonMessage) unless a live lease shows a worker on it', async () => {
    const lines: string[] = [];
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, simulator: { volume: { audit: 10 } } });
    const deps = { ...h.runtime, log: recordingLogger(lines) };
    const queued = await insertJob('2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z');
    expect(await recordPoisonedMessage(JSON.stringify(queued), deps)).toBe('failed');
    expect(await h.runtime.jobs.get(queued.jobId)).toMatchObject({ status: 'failed', lastError: { code: 'PoisonMessage' }, retryAt: expect.any(String) });
    expect(lines).toContainEqual(expect.stringMatching(/^error ExportJobFailed stream=audit jobId=audit-20261127T1000Z code=PoisonMessage/));

    const leased = await insertJob('2026-11-27T11:00:00Z', '2026-11-27T12:00:00Z');
    const job = await h.runtime.jobs.get(leased.jobId);
    await h.runtime.jobs.update(claim(job!, 'worker-1', new Date(h.clock.now), 600));
    expect(await recordPoisonedMessage(JSON.stringify(leased), deps)).toBe('ignored');
    expect((await h.runtime.jobs.get(leased.jobId))?.status).toBe('running');
    // Once its lease has run out, the same message records the failure.
    h.clock.now += 601_000;
    expect(await recordPoisonedMessage(JSON.stringify(leased), deps)).toBe('failed');

    expect(await recordPoisonedMessage(JSON.stringify(queued), deps)).toBe('ignored'); // already failed
    expect(await recordPoisonedMessage('{"not":"a job"}', deps)).toBe('ignored');
  });
  it('a planner step that fails ends only that step: the stale job re-queued by the sweep still gets its message', async () => {
    const lines: string[] = [];
    h = await startHarness({ nowIso: NOW, env: ONLY_AUDIT, simulator: { volume: { audit: 60 } } });
    const stale = await insertJob('2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z');
    h.clock.now += (h.config.worker.staleQueuedMinutes + 1) * 60_000;
    // Storage fails for the stream's row (planning the stream) and for the list of due retries (the last sweep).
    const unavailable = (): Error => Object.assign(new Error('The server is busy.'), { statusCode: 503 });
    const streams = Object.create(h.runtime.streams) as StreamRepository;
    streams.getOrCreate = async () => {
      throw unavailable();
    };
    const jobs = Object.create(h.runtime.jobs) as JobRepository;
    jobs.listDueRetries = async function* () {
      yield* [];
      throw unavailable();
    };
    const result = await planExports({ ...h.runtime, streams, jobs, log: recordingLogger(lines) });
    expect(result.messages).toEqual([{ jobId: stale.jobId, continuation: 0 }]);
    expect(result.requeued).toBe(1);
    expect(result.failures).toEqual([expect.stringMatching(/^plan audit: The server is busy/), expect.stringMatching(/^retry sweep: The server is busy/)]);
    expect(lines.filter((l) => l.startsWith('error Planner step'))).toHaveLength(2);
    // The job's message went out: the next run does not wait STALE_QUEUED_MINUTES for it again, nor re-queue it.
    expect(await h.runtime.jobs.get(stale.jobId)).toMatchObject({ status: 'queued', queuedAt: new Date(h.clock.now).toISOString() });
  });
});
