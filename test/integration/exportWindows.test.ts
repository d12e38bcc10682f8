/**
 * Planner and worker against Azurite and the Graph simulator: every window of every stream holds exactly the
 * simulator's ground truth, in every format, with manifest hashes that match the bytes.
 */
import { STREAM_IDS } from '../../src/streams/catalog';
import { WorkerKilledError } from '../../src/export/worker';
import type { FaultPoint } from '../../src/export/exportSession';
import { checkWindow, problemsOf } from '../support/exportVerifier';
import { Harness, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const volume = { audit: 300, interactiveSignIns: 200, nonInteractiveSignIns: 600, servicePrincipalSignIns: 150, managedIdentitySignIns: 100, provisioning: 120 };

async function expectAllClean(h: Harness): Promise<number> {
  const jobs = await h.allJobs();
  let records = 0;
  for (const job of jobs) {
    expect({ job: job.jobId, status: job.status, error: job.lastError?.message }).toEqual({ job: job.jobId, status: expect.stringMatching(/^(succeeded|empty)$/), error: undefined });
    const check = await checkWindow(job, h.runtime.container, h.sim, h.clock.now);
    expect(problemsOf(check)).toEqual({ jobId: job.jobId });
    records += check.expected;
  }
  return records;
}

describe('exporting windows', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('exports every stream exactly once in every format, and a repeated tick or message changes nothing', async () => {
    h = await startHarness({
      nowIso: NOW,
      env: { EXPORT_FORMATS: 'jsonl.gz,json,csv,diag.gz', MAX_WINDOWS_PER_TICK: '2' },
      simulator: { volume, publication: { republishShare: 0.05, splitShare: 0.05, lateShare: 0 } },
    });
    const messages = await h.plan();
    expect(messages).toHaveLength(STREAM_IDS.length * 2);
    await h.drain(messages);
    const records = await expectAllClean(h);
    expect(records).toBeGreaterThan(500);

    // A tick repeated from the same watermark (as after a crash before the watermark moved) creates nothing
    // twice; a duplicated message finds the job finished and writes nothing.
    for (const stream of STREAM_IDS) {
      const state = await h.runtime.streams.get(stream);
      await h.runtime.streams.tryUpdate({ ...state!, watermark: '2026-11-27T12:00:00.0000000Z' });
    }
    const firstIds = new Set(messages.map((m) => m.jobId));
    const repeated = await h.plan();
    expect(repeated.filter((m) => firstIds.has(m.jobId))).toEqual([]);
    const before = await h.runtime.container.getBlobClient((await h.allJobs())[0].result!.files[0].blobName).getProperties();
    const again = await h.work(messages[0]);
    expect(again).toMatchObject({ outcome: 'skipped', reason: 'finished' });
    const after = await h.runtime.container.getBlobClient((await h.allJobs())[0].result!.files[0].blobName).getProperties();
    expect(after.etag).toBe(before.etag);
  });

  it('continues across invocations when the time budget runs out (valid multi-member gzip, exact hash)', async () => {
    h = await startHarness({
      nowIso: NOW,
      env: { WORKER_TIME_BUDGET_SECONDS: '10', GRAPH_PAGE_SIZE: '100', BLOCK_TARGET_BYTES: '65536', MAX_WINDOWS_PER_TICK: '1', EXPORT_FORMATS: 'jsonl.gz,json.gz,csv.gz', STREAM_AUDIT_ENABLED: 'true' },
      simulator: { volume: { ...volume, audit: 3000, nonInteractiveSignIns: 2400 } },
    });
    const messages = await h.plan();
    let continued = 0;
    const queue = [...messages];
    while (queue.length) {
      const result = await h.work(queue.shift()!, {
        // Each page costs 2 s of the invocation's budget.
        faultPoint: (p) => {
          if (p === 'afterPage') h.clock.now += 2000;
        },
      });
      if (result.outcome === 'continued') continued++;
      queue.push(...result.messages);
    }
    expect(continued).toBeGreaterThan(5);
    await expectAllClean(h);
  });

  it.each<FaultPoint>(['afterPage', 'afterStage', 'afterCheckpoint', 'beforeCommit', 'afterCommit', 'afterManifest'])(
    'recovers from a worker killed at %s: the lease expires, the planner re-queues, nothing is lost or doubled',
    async (point) => {
      h = await startHarness({
        nowIso: NOW,
        env: { GRAPH_PAGE_SIZE: '50', BLOCK_TARGET_BYTES: '65536', MAX_WINDOWS_PER_TICK: '1', STREAM_NONINTERACTIVESIGNINS_ENABLED: 'false' },
        simulator: { volume },
      });
      const messages = await h.plan();
      let kills = 0;
      for (const message of messages) {
        await expect(
          h.work(message, {
            faultPoint: (p) => {
              if (p === point) {
                kills++;
                throw new WorkerKilledError(p);
              }
            },
          }),
        ).rejects.toThrow(WorkerKilledError);
        // The redelivered message finds the dead worker's lease live: a duplicate, ignored.
        expect(await h.work(message)).toMatchObject({ outcome: 'skipped' });
      }
      expect(kills).toBe(messages.length);
      h.clock.now += (h.config.worker.leaseSeconds + 1) * 1000;
      const requeued = await h.plan();
      expect(requeued.map((m) => m.jobId)).toEqual(expect.arrayContaining(messages.map((m) => m.jobId)));
      await h.drain(requeued);
      await expectAllClean(h);
    },
  );
});
