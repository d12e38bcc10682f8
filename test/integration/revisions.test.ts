/**
 * Reruns never destroy and late records are caught: a re-run or re-check writes the next revision while the served
 * one keeps answering downloads; the new revision replaces it only when it holds every one of its records (else both
 * are kept and the job says so); changed content counts as much as new records; re-runs beyond retention are
 * refused; the re-check pass covers failed windows and reads again where it found late records.
 */
import type { ExportsApiDeps } from '../../src/api/exportsApi';
import { downloadExportFile, getExport, rerunExport } from '../../src/api/exportsApi';
import { ApiRequest, ApiResponse, handled } from '../../src/api/http';
import { claim, complete, emptyCounts, fail, type ExportJob, type JobMessage } from '../../src/export/job';
import type { Manifest } from '../../src/export/manifest';
import { newScheduledJob } from '../../src/export/planner';
import { parseInstant } from '../../src/time/instant';
import { checkWindow, isClean, problemsOf } from '../support/exportVerifier';
import { Harness, onlyStreams, startHarness } from '../support/exportHarness';

const NOW = '2026-11-28T12:00:00Z';
const ONLY_AUDIT = {
  ...onlyStreams('audit'),
  MAX_WINDOWS_PER_TICK: '1',
};

function request(path: string, params: Record<string, string>, method = 'GET'): ApiRequest {
  const url = new URL(`http://localhost:7071${path}`);
  return { method, url: url.toString(), query: url.searchParams, params, header: () => null, body: async () => Buffer.alloc(0) };
}

describe('revisions', () => {
  let h: Harness;
  let deps: ExportsApiDeps;
  afterEach(async () => h?.close());

  async function start(env: Record<string, string> = {}): Promise<ExportJob> {
    h = await startHarness({ nowIso: NOW, env: { ...ONLY_AUDIT, ...env }, simulator: { volume: { audit: 240 }, publication: { lateShare: 0, republishShare: 0, splitShare: 0 } } });
    deps = {
      jobs: h.runtime.jobs,
      linkAudit: h.runtime.linkAudit,
      signer: h.runtime.signer,
      container: h.config.exportsContainer,
      linkExpiryMinutes: 15,
      auth: { authentication: 'functionKey', platformAuthentication: false },
      retentionDays: h.config.retentionDays,
      now: h.runtime.now,
    };
    const [first] = await h.plan();
    await h.drain([first]);
    const job = await h.runtime.jobs.get(first.jobId);
    expect(job).toMatchObject({ status: 'succeeded', revision: 1 });
    return job!;
  }

  const api = (run: (r: ApiRequest, d: ExportsApiDeps) => Promise<ApiResponse>, r: ApiRequest): Promise<ApiResponse> => handled(() => run(r, deps), () => undefined);
  const blob = async (name: string) => h.runtime.container.getBlobClient(name).downloadToBuffer();
  const manifestOf = async (job: ExportJob) => JSON.parse((await blob(job.result!.manifestBlob)).toString('utf8')) as Manifest;

  /** Rewrites a revision's fingerprints, as if it had held other records than Graph serves now. */
  async function editFingerprints(job: ExportJob, edit: (lines: string[]) => string[]): Promise<void> {
    const name = job.result!.fingerprintsBlob!;
    const lines = (await blob(name)).toString('utf8').split('\n').filter(Boolean);
    const text = edit(lines).map((l) => `${l}\n`).join('');
    await h.runtime.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  }

  it('a re-run keeps the served files downloadable until it finishes, then serves a revision whose manifest names the previous one', async () => {
    const first = await start({ GRAPH_PAGE_SIZE: '20', WORKER_TIME_BUDGET_SECONDS: '10' });
    const accepted = await rerunExport(request('/x', { jobId: first.jobId }, 'POST'), deps);
    expect(accepted.response).toMatchObject({ status: 202, jsonBody: { status: 'queued', revision: 1, pendingRevision: 2 } });

    // The re-run stops part-way (time budget); the served revision answers throughout.
    let message: JobMessage | undefined = accepted.messages[0];
    let stops = 0;
    while (message) {
      const result = await h.work(message, { faultPoint: (p) => void (p === 'afterPage' && (h.clock.now += 3000)) });
      const download = await api(downloadExportFile, request('/x', { jobId: first.jobId, fileKey: 'csv' }));
      expect(download.status).toBe(302);
      if (result.outcome === 'continued') {
        stops++;
        expect(download.headers?.Location).toContain(encodeURIComponent(first.result!.files.find((f) => f.key === 'csv')!.blobName.split('/').pop()!));
        const shown = await api(getExport, request('/x', { jobId: first.jobId }));
        expect(shown.jsonBody).toMatchObject({ status: 'queued', revision: 1, pass: { mode: 'rerun', revision: 2, comparedWith: 1 } });
      }
      message = result.messages[0];
    }
    expect(stops).toBeGreaterThan(0);

    const done = (await h.runtime.jobs.get(first.jobId))!;
    expect(done).toMatchObject({ status: 'succeeded', revision: 2, result: { revision: 2, comparison: { previousRevision: 1, added: 0, changed: 0, missing: 0 } }, notice: undefined });
    expect(isClean(await checkWindow(done, h.runtime.container, h.sim, h.clock.now))).toBe(true);
    const manifest = await manifestOf(done);
    expect(manifest.previousRevision).toMatchObject({
      revision: 1,
      manifestBlob: first.result!.manifestBlob,
      files: first.result!.files.map((f) => ({ key: f.key, blobName: f.blobName, bytes: f.bytes, records: f.records, sha256: f.sha256 })),
      replaced: true,
    });
    const shown = (await api(getExport, request('/x', { jobId: first.jobId }))).jsonBody as { revisions: Array<{ revision: number; role: string; files: Array<{ download: string }> }> };
    expect(shown.revisions.map((r) => [r.revision, r.role])).toEqual([[2, 'served'], [1, 'superseded']]);
    expect(shown.revisions[1].files[0].download).toMatch(/\?revision=1$/);
    const older = await api(downloadExportFile, request('/x?revision=1', { jobId: first.jobId, fileKey: 'csv' }));
    expect(older.status).toBe(302);
    for (const file of first.result!.files) expect((await blob(file.blobName)).length).toBe(file.bytes);
  });

  it('a re-run that lacks records of the served revision is kept beside it, and the job says so', async () => {
    const first = await start();
    await editFingerprints(first, (lines) => [...lines, 'AAAAAAAAAAAAAAAA BBBBBBBBBBBBBBBB']);
    const accepted = await rerunExport(request('/x', { jobId: first.jobId }, 'POST'), deps);
    await h.drain(accepted.messages);
    const job = (await h.runtime.jobs.get(first.jobId))!;
    expect(job).toMatchObject({ status: 'succeeded', revision: 2, result: { revision: 1, manifestBlob: first.result!.manifestBlob }, notice: { code: 'RevisionsKept' } });
    expect(job.revisions).toEqual([expect.objectContaining({ role: 'kept', result: expect.objectContaining({ revision: 2, comparison: expect.objectContaining({ missing: 1 }) }) })]);
    const kept = JSON.parse((await blob(job.revisions![0].result.manifestBlob)).toString('utf8')) as Manifest;
    expect(kept.previousRevision).toMatchObject({ revision: 1, missing: 1, replaced: false });
    const shown = await api(getExport, request('/x', { jobId: first.jobId }));
    expect(shown.jsonBody).toMatchObject({ revision: 1, notice: { code: 'RevisionsKept', message: expect.stringMatching(/lacks 1 record/) } });
  });

  it('a re-run of a window beyond Entra\'s retention is refused with 409 and changes nothing', async () => {
    await start();
    const old = newScheduledJob(h.config, 'audit', parseInstant('2026-10-20T10:00:00Z'), parseInstant('2026-10-20T11:00:00Z'), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(old);
    const claimed = await h.runtime.jobs.update(claim((await h.runtime.jobs.get(old.jobId))!, 'w', new Date(h.clock.now), 60));
    const finished = await h.runtime.jobs.update(complete(claimed, { revision: 1, counts: { ...emptyCounts(), records: 0 }, files: [], manifestBlob: 'm', idDigest: '0' }, new Date(h.clock.now)));
    const refused = await api(async (r, d) => (await rerunExport(r, d)).response, request('/x', { jobId: old.jobId }, 'POST'));
    expect(refused).toMatchObject({ status: 409, jsonBody: { error: { code: 'OutsideRetention', message: expect.stringMatching(/retention edge.*a re-run would find nothing/) } } });
    expect((await h.runtime.jobs.get(old.jobId))?.etag).toBe(finished.etag);
  });

  it('the re-check finds a changed record by its content, writes a revision, counts it, and reads that window once more later', async () => {
    const first = await start();
    await editFingerprints(first, (lines) => lines.map((line, i) => (i === 0 ? `${line.split(' ')[0]} CCCCCCCCCCCCCCCC` : line)));
    h.clock.now += 25 * 3600_000;
    const rechecks = (await h.plan()).filter((m) => m.jobId === first.jobId);
    expect(rechecks).toHaveLength(1);
    expect(await h.runtime.jobs.get(first.jobId)).toMatchObject({ status: 'queued', mode: 'recheck', revision: 2, rechecks: 1, result: { revision: 1 } });
    await h.drain(rechecks);
    const job = (await h.runtime.jobs.get(first.jobId))!;
    expect(job).toMatchObject({ status: 'succeeded', revision: 2, result: { revision: 2, comparison: { added: 0, changed: 1, missing: 0 } }, lateRecordsFound: 1, lastRecheckFound: 1 });
    expect(await h.runtime.streams.get('audit')).toMatchObject({ lateRecordsFound: 1 });

    // Where the first re-check found something, a second one follows RECHECK_AGAIN_AFTER_DAYS after the window ended.
    h.clock.now += 3 * 24 * 3600_000;
    const again = (await h.plan()).filter((m) => m.jobId === first.jobId);
    expect(again).toHaveLength(1);
    await h.drain(again);
    expect(await h.runtime.jobs.get(first.jobId)).toMatchObject({ status: 'succeeded', revision: 2, rechecks: 2, lastRecheckFound: 0, lateRecordsFound: 1 });
    h.clock.now += 24 * 3600_000;
    expect((await h.plan()).filter((m) => m.jobId === first.jobId)).toEqual([]);
  });

  it('a failed window is re-checked from its end, not from where its export failed: records Entra published late behind that point are exported', async () => {
    // 20% of audit records published up to 4 h late; the re-check 4 h after a window ends.
    h = await startHarness({
      nowIso: '2026-11-28T11:30:00Z',
      env: { ...ONLY_AUDIT, RECHECK_AFTER_HOURS: '4', GRAPH_PAGE_SIZE: '20', WORKER_TIME_BUDGET_SECONDS: '10' },
      simulator: { volume: { audit: 240 }, publication: { lateShare: 0.2, lateMaxMinutes: 240, republishShare: 0, splitShare: 0 } },
    });
    const window = { start: '2026-11-28T10:00:00Z', end: '2026-11-28T11:00:00Z' };
    const created = newScheduledJob(h.config, 'audit', parseInstant(window.start), parseInstant(window.end), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(created);
    // The first export reads the window's newest pages (each page costs 2 s of a 10 s budget), then Graph refuses it
    // for good (GraphError: no automatic retry; its checkpoint stays).
    const firstRead = h.clock.now;
    const stopped = await h.work({ jobId: created.jobId, continuation: 0 }, { faultPoint: (p) => void (p === 'afterPage' && (h.clock.now += 2000)) });
    expect(stopped.outcome).toBe('continued');
    const partial = (await h.runtime.jobs.get(created.jobId))!;
    const cursor = partial.checkpoint!.cursor!;
    await h.runtime.jobs.update(fail(partial, { code: 'GraphError', message: 'Graph refused the request', at: new Date(h.clock.now).toISOString() }, new Date(h.clock.now)));

    // By the re-check time, Entra has published records between that cursor and the window end: behind the position
    // the failed export had read.
    h.clock.now = Date.parse('2026-11-28T15:30:00Z');
    const newer = { stream: 'audit' as const, start: Date.parse(cursor) + 1, end: window.end };
    const seenFirst = new Set(h.sim.groundTruthIds({ ...newer, asOf: firstRead }));
    const behind = h.sim.groundTruthIds({ ...newer, asOf: Date.parse('2026-11-28T15:00:00Z') }).filter((id) => !seenFirst.has(id));
    expect(behind.length).toBeGreaterThan(0);

    const rechecks = (await h.plan()).filter((m) => m.jobId === created.jobId);
    expect(rechecks).toHaveLength(1);
    expect(await h.runtime.jobs.get(created.jobId)).toMatchObject({ status: 'queued', mode: 'export', rechecks: 1 });
    await h.drain(rechecks);
    const done = (await h.runtime.jobs.get(created.jobId))!;
    expect(done).toMatchObject({ status: 'succeeded', rechecked: true });
    const check = await checkWindow(done, h.runtime.container, h.sim, h.clock.now);
    expect(problemsOf(check)).toEqual({ jobId: created.jobId });
  });

  it('a re-check that reads the same records writes nothing; a failed window is read again by it', async () => {
    const first = await start();
    const failedJob = newScheduledJob(h.config, 'audit', parseInstant('2026-11-27T20:00:00Z'), parseInstant('2026-11-27T21:00:00Z'), new Date(h.clock.now));
    await h.runtime.jobs.insertIfAbsent(failedJob);
    await h.runtime.jobs.update(fail((await h.runtime.jobs.get(failedJob.jobId))!, { code: 'GraphError', message: 'Graph refused the filter', at: NOW }, new Date(h.clock.now)));
    h.clock.now += 25 * 3600_000;
    // One window per tick (MAX_WINDOWS_PER_TICK): two ticks.
    const messages = [...(await h.plan()), ...(await h.plan())].filter((m) => m.jobId === first.jobId || m.jobId === failedJob.jobId);
    expect(messages.map((m) => m.jobId).sort()).toEqual([first.jobId, failedJob.jobId].sort());
    await h.drain(messages);
    const same = (await h.runtime.jobs.get(first.jobId))!;
    expect(same).toMatchObject({ status: 'succeeded', revision: 1, rechecked: true, result: first.result, lastRecheckFound: 0 });
    expect(same.revisions).toBeUndefined();
    const retried = (await h.runtime.jobs.get(failedJob.jobId))!;
    expect(retried).toMatchObject({ status: 'succeeded', revision: 1, rechecked: true });
    expect(isClean(await checkWindow(retried, h.runtime.container, h.sim, h.clock.now))).toBe(true);
  });
});
