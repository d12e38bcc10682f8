/**
 * Exports under a WORM (time-based immutability) policy: Blob storage refuses any write to a blob that exists. Azurite
 * has no immutability policies, so the exports container is wrapped to refuse exactly that, with the service's 409
 * `BlobImmutableDueToPolicy`. A worker killed after committing its files (or after its manifest) is retried without
 * rewriting anything; a job that meets a file it did not write fails visibly, and a re-run writes a new revision.
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { FaultPoint } from '../../src/export/exportSession';
import { rerun } from '../../src/export/revisions';
import { blobBaseName, manifestBlobName } from '../../src/export/jobIds';
import { parseInstant } from '../../src/time/instant';
import { JobMessage } from '../../src/export/job';
import { runExportJob, WorkerKilledError, WorkerResult } from '../../src/export/worker';
import { silentLogger } from '../../src/export/logger';
import { STREAM_IDS } from '../../src/streams/catalog';
import { checkWindow, problemsOf } from '../support/exportVerifier';
import { Harness, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const OTHER_STREAMS = STREAM_IDS.filter((id) => id !== 'audit');
const WRITES = new Set(['stageBlock', 'commitBlockList', 'upload', 'uploadData', 'syncUploadFromURL', 'beginCopyFromURL']);

/** The exports container as a WORM policy makes it: a blob, once it exists, cannot be written again. */
function immutableContainer(container: ContainerClient, refused: string[]): ContainerClient {
  const guardBlob = (blob: BlockBlobClient): BlockBlobClient =>
    new Proxy(blob, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (typeof property !== 'string' || !WRITES.has(property)) return (value as (...a: unknown[]) => unknown).bind(target);
        return async (...args: unknown[]) => {
          if (await target.exists()) {
            refused.push(`${property} ${target.name}`);
            throw new RestError('This operation is not permitted as the blob is immutable due to a policy.', { code: 'BlobImmutableDueToPolicy', statusCode: 409 });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return new Proxy(container, {
    get(target, property, receiver) {
      if (property === 'getBlockBlobClient') return (name: string) => guardBlob(target.getBlockBlobClient(name));
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('exports under an immutability (WORM) policy', () => {
  let h: Harness;
  let refused: string[];
  let invocation = 0;
  afterEach(async () => h?.close());

  async function start(): Promise<JobMessage> {
    h = await startHarness({
      nowIso: NOW,
      env: {
        GRAPH_PAGE_SIZE: '50',
        MAX_WINDOWS_PER_TICK: '1',
        EXPORT_FORMATS: 'jsonl.gz,json,csv',
        ...Object.fromEntries(OTHER_STREAMS.map((id) => [`STREAM_${id.toUpperCase()}_ENABLED`, 'false'])),
      },
      simulator: { volume: { audit: 400 } },
    });
    refused = [];
    const messages = await h.plan();
    expect(messages).toHaveLength(1);
    return messages[0];
  }

  function work(message: JobMessage, faultPoint?: (p: FaultPoint) => void): Promise<WorkerResult> {
    return runExportJob(
      { message, invocationId: `worm-${++invocation}`, dequeueCount: 1, maxDequeueCount: 5 },
      { ...h.runtime, container: immutableContainer(h.runtime.container, refused), log: silentLogger, faultPoint },
    );
  }

  async function etags(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const blob of h.runtime.container.listBlobsFlat()) out.set(blob.name, blob.properties.etag ?? '');
    return out;
  }

  it.each<FaultPoint>(['afterCommit', 'afterManifest'])('a worker killed at %s is finished by the next one without rewriting a blob', async (point) => {
    const message = await start();
    await expect(
      work(message, (p) => {
        if (p === point) throw new WorkerKilledError(p);
      }),
    ).rejects.toThrow(WorkerKilledError);
    const written = await etags();
    expect([...written.keys()].some((name) => name.endsWith('.jsonl.gz'))).toBe(true);
    if (point === 'afterManifest') expect([...written.keys()].some((name) => name.endsWith('.manifest.json'))).toBe(true);

    h.clock.now += (h.config.worker.leaseSeconds + 1) * 1000;
    const requeued = await h.plan();
    expect(requeued.map((m) => m.jobId)).toContain(message.jobId);
    const result = await work(message);
    expect(refused).toEqual([]);
    expect(result.outcome).toBe('succeeded');

    const after = await etags();
    for (const [name, etag] of written) expect({ name, etag: after.get(name) }).toEqual({ name, etag });
    const job = (await h.runtime.jobs.get(message.jobId))!;
    const check = await checkWindow(job, h.runtime.container, h.sim, h.clock.now);
    expect(problemsOf(check)).toEqual({ jobId: job.jobId });
    // The manifest the job points at is the one on disk, and every file carries its hash for a later retry.
    const manifest = JSON.parse((await h.runtime.container.getBlockBlobClient(job.result!.manifestBlob).downloadToBuffer()).toString('utf8'));
    expect(manifest.finishedAt).toBe(job.result!.finishedAt);
    for (const file of job.result!.files) {
      const properties = await h.runtime.container.getBlockBlobClient(file.blobName).getProperties();
      expect(properties.metadata?.sha256).toBe(file.sha256);
    }
  });

  it('a manifest it did not write fails the job visibly (ExportImmutable, no automatic retry); a re-run writes revision 2 beside it', async () => {
    const message = await start();
    const job = (await h.runtime.jobs.get(message.jobId))!;
    // Something else already sits at the name of the revision's manifest (bytes this pass did not write).
    const base = blobBaseName({ jobId: job.jobId, kind: job.kind, stream: job.stream, start: parseInstant(job.windowStart), end: parseInstant(job.windowEnd), revision: job.revision });
    const squatter = Buffer.from('{"not":"this revision"}\n');
    await h.runtime.container.getBlockBlobClient(manifestBlobName(base)).upload(squatter, squatter.length);

    const failed = await work(message);
    expect(failed.outcome).toBe('failed');
    const failedJob = (await h.runtime.jobs.get(message.jobId))!;
    expect(failedJob).toMatchObject({ status: 'failed', lastError: { code: 'ExportImmutable' } });
    expect(failedJob.retryAt).toBeUndefined();
    expect(failedJob.lastError?.message).toMatch(/Re-run the job/);
    expect(refused).toEqual([`upload ${manifestBlobName(base)}`]);

    // The operator's re-run takes the next revision number (revision 1's files may be committed), so it writes new
    // names and succeeds; nothing written before is touched.
    const queued = await h.runtime.jobs.update(rerun(failedJob, new Date(h.clock.now)));
    expect(queued.revision).toBe(2);
    refused.length = 0;
    const again = await work({ jobId: message.jobId, continuation: 0 });
    expect(again.outcome).toBe('succeeded');
    expect(refused).toEqual([]);
    const final = (await h.runtime.jobs.get(message.jobId))!;
    expect(final.result?.manifestBlob).toMatch(/_r2\.manifest\.json$/);
    expect(problemsOf(await checkWindow(final, h.runtime.container, h.sim, h.clock.now))).toEqual({ jobId: final.jobId });
  });
});
