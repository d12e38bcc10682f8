/**
 * The whole app as `npm run dev` runs it, in-process: its own Azurite (HTTPS + OAuth, so links are user-delegation
 * SAS and the `export-jobs` queue is this file's alone), the Graph simulator on a fixed clock, the real function
 * modules registered through src/functions/index, and the local host driving them: a timer tick, the queue drained,
 * then everything checked over real HTTP against the simulator's ground truth.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { QueueClient } from '@azure/storage-queue';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import type { LocalHost } from '../../dev/local-host';
import type { Runtime } from '../../src/app/runtime';
import type { ExportJob } from '../../src/export/job';
import type { Manifest } from '../../src/export/manifest';
import { STREAM_IDS, StreamId } from '../../src/streams/catalog';
import { LocalApp, startLocalApp } from '../support/localApp';

const WINDOW_MINUTES = 360;
const WINDOW_MS = WINDOW_MINUTES * 60_000;
const DAY_MS = 24 * 60 * 60_000;
/** Small hourly volumes keep the run short; a page size below them makes most windows take several pages. */
const VOLUME: Record<StreamId, number> = {
  audit: 60,
  interactiveSignIns: 40,
  nonInteractiveSignIns: 80,
  servicePrincipalSignIns: 20,
  managedIdentitySignIns: 20,
  provisioning: 10,
};

interface ApiFile {
  key: string;
  sha256: string;
  url: string;
  download: string;
}
interface ApiExport {
  jobId: string;
  stream: StreamId;
  status: string;
  revision: number;
  window: { start: string; end: string };
  files?: ApiFile[];
}
interface ApiRevision {
  revision: number;
  role: 'served' | 'superseded' | 'kept';
  records: number;
  comparedWith: { previousRevision: number; added: number; changed: number; missing: number } | null;
  manifest: { blobName: string; download: string };
  files: Array<{ key: string; sha256: string; records: number; download: string }>;
}
interface ApiExportDetail extends ApiExport {
  revisions: ApiRevision[];
  pass: { mode: string; revision: number; comparedWith: number } | null;
  notice: unknown;
}

let app: LocalApp;
let sim: SimulatorHandle;
let runtime: Runtime;
let host: LocalHost;
let queue: QueueClient;
/** The simulator's and the app's "now": fixed for the whole file. */
const now = Date.now();

/** The stream's configured lag (the defaults: Microsoft's documented latency plus a margin, docs/configuration.md). */
function lagMinutes(stream: StreamId): number {
  return runtime.config.streams[stream].lagMinutes;
}

/** The windows a first tick must plan: 6 h windows from one day back (aligned up) to now − lag. */
function expectedWindows(stream: StreamId): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  let start = Math.ceil((now - DAY_MS) / WINDOW_MS) * WINDOW_MS;
  while (start + WINDOW_MS <= now - lagMinutes(stream) * 60_000) {
    windows.push({ start, end: start + WINDOW_MS });
    start += WINDOW_MS;
  }
  return windows;
}

async function api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(`${host.httpUrl}/api${path}`, init);
  return { status: response.status, body: (await response.json()) as T };
}

async function listAll(): Promise<ApiExport[]> {
  const { status, body } = await api<{ exports: ApiExport[]; nextCursor: string | null }>('/exports?limit=200');
  expect(status).toBe(200);
  expect(body.nextCursor).toBeNull();
  return body.exports;
}

async function storedJobs(): Promise<Map<string, ExportJob>> {
  return new Map((await runtime.jobs.listAll()).map((job) => [job.jobId, job]));
}

async function blobEtags(): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for await (const blob of runtime.container.listBlobsFlat()) etags.set(blob.name, blob.properties.etag ?? '');
  return etags;
}

/** What must not change when a duplicate arrives: the row's state, its revision and its invocation count. */
function jobFingerprints(jobs: Map<string, ExportJob>): Record<string, string> {
  return Object.fromEntries(
    [...jobs.values()].map((j) => [j.jobId, `${j.status}|${j.revision}|${j.invocations}|${j.leaseEpoch}|${j.result?.idDigest ?? ''}`]),
  );
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Downloads every file of a finished export through its signed link and checks hash and ids against ground truth. */
async function verifyExport(jobId: string): Promise<void> {
  const { status, body } = await api<ApiExport>(`/exports/${jobId}`);
  expect(status).toBe(200);
  const truth = sim.groundTruthIds({ stream: body.stream, start: body.window.start, end: body.window.end }).sort();
  if (body.status === 'empty') {
    expect(truth).toEqual([]);
    return;
  }
  expect(body.status).toBe('succeeded');
  expect(body.files?.map((f) => f.key).sort()).toEqual(expect.arrayContaining(['csv', 'jsonl']));
  for (const file of body.files ?? []) {
    // A plain HTTP client, no SDK: the signed link alone must be enough.
    const response = await fetch(file.url);
    expect(response.status).toBe(200);
    const data = Buffer.from(await response.arrayBuffer());
    expect(sha256(data)).toBe(file.sha256);
    if (file.key === 'jsonl') {
      const ids = gunzipSync(data).toString('utf8').split('\n').filter((l) => l.length > 0).map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids.sort()).toEqual(truth);
    }
  }
}

beforeAll(async () => {
  const windowSettings = Object.fromEntries(STREAM_IDS.map((s) => [`STREAM_${s.toUpperCase()}_WINDOW_MINUTES`, String(WINDOW_MINUTES)]));
  app = await startLocalApp({ now, env: { GRAPH_PAGE_SIZE: '200', ...windowSettings }, simulator: { seed: 'local-run', volume: VOLUME } });
  ({ sim, runtime, host } = app);
  queue = runtime.storage.queueService.getQueueClient('export-jobs');
});

afterAll(async () => {
  await app?.stop();
});

describe('a local run: timer, queue, worker, HTTP API', () => {
  let firstEtags: Map<string, string>;
  let firstJobs: Record<string, string>;

  it('exports every planned window with exactly the ground-truth ids, downloadable through signed links', async () => {
    await host.runTimer('scheduleExports');
    await host.drainQueues({ timeoutMs: 60_000 });

    const listed = await listAll();
    const expectedIds = STREAM_IDS.flatMap((stream) =>
      expectedWindows(stream).map((w) => `${stream}-${new Date(w.start).toISOString().slice(0, 16).replace(/[-:]/g, '')}Z`),
    );
    expect(listed.map((e) => e.jobId).sort()).toEqual(expectedIds.sort());
    expect(listed.filter((e) => e.status !== 'succeeded' && e.status !== 'empty')).toEqual([]);
    expect(listed.filter((e) => e.status === 'succeeded').length).toBeGreaterThan(STREAM_IDS.length);
    for (const job of listed) await verifyExport(job.jobId);

    // The download route redirects to a fresh signed link for the same bytes.
    const sample = listed.find((e) => e.status === 'succeeded' && e.stream === 'audit') as ApiExport;
    const detail = (await api<ApiExport>(`/exports/${sample.jobId}`)).body;
    const csv = detail.files?.find((f) => f.key === 'csv') as ApiFile;
    const redirect = await fetch(`${host.httpUrl}${csv.download}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const followed = await fetch(`${host.httpUrl}${csv.download}`);
    expect(sha256(Buffer.from(await followed.arrayBuffer()))).toBe(csv.sha256);

    firstEtags = await blobEtags();
    firstJobs = jobFingerprints(await storedJobs());
    expect(firstEtags.size).toBeGreaterThan(0);
  });

  it('a repeated tick queues nothing and changes no job or blob', async () => {
    await host.runTimer('scheduleExports');
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    await host.drainQueues();
    expect(jobFingerprints(await storedJobs())).toEqual(firstJobs);
    expect(await blobEtags()).toEqual(firstEtags);
  });

  it('a duplicated queue message changes nothing', async () => {
    const jobs = [...(await storedJobs()).values()].filter((j) => j.status === 'succeeded').slice(0, 3);
    for (const job of jobs) {
      const text = JSON.stringify({ jobId: job.jobId, continuation: 0 });
      await queue.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
    }
    await host.drainQueues();
    expect(jobFingerprints(await storedJobs())).toEqual(firstJobs);
    expect(await blobEtags()).toEqual(firstEtags);
    const poison = runtime.storage.queueService.getQueueClient('export-jobs-poison');
    expect((await poison.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('POST /rerun queues the window through the output binding and writes revision 2 with the same ids, revision 1 downloadable throughout', async () => {
    const target = [...(await storedJobs()).values()].find((j) => j.stream === 'audit' && j.status === 'succeeded') as ExportJob;
    const before = (await api<ApiExportDetail>(`/exports/${target.jobId}`)).body;
    expect(before).toMatchObject({ status: 'succeeded', revision: 1, pass: null });
    const r1Files = before.revisions.find((r) => r.revision === 1) as ApiRevision;
    expect(r1Files.files.map((f) => f.key).sort()).toEqual(expect.arrayContaining(['csv', 'jsonl']));
    // Revision 1 named explicitly, so the same links mean revision 1 before, during and after the re-run.
    const r1Links = [...r1Files.files.map((f) => f.key), 'manifest'].map((key) => `/api/exports/${target.jobId}/files/${key}?revision=1`);

    const { status, body } = await api<ApiExport>(`/exports/${target.jobId}/rerun`, { method: 'POST' });
    expect(status).toBe(202);
    // Revision 1 keeps serving until revision 2 is written.
    expect(body).toMatchObject({ jobId: target.jobId, status: 'queued', revision: 1, pendingRevision: 2 });
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
    const queued = (await api<ApiExportDetail>(`/exports/${target.jobId}`)).body;
    expect(queued).toMatchObject({ status: 'queued', revision: 1, pass: { mode: 'rerun', revision: 2, comparedWith: 1 } });

    // Ask for revision 1's files over and over while the worker writes revision 2: every answer is a redirect.
    const answers: Array<{ status: number; location: string | null; duringRerun: boolean }> = [];
    const ask = async (link: string, duringRerun: boolean): Promise<void> => {
      const response = await fetch(`${host.httpUrl}${link}`, { redirect: 'manual' });
      await response.arrayBuffer();
      answers.push({ status: response.status, location: response.headers.get('location'), duringRerun });
    };
    let drained = false;
    const drain = host.drainQueues().finally(() => {
      drained = true;
    });
    for (let round = 0; !drained; round += 1) await ask(r1Links[round % r1Links.length], true);
    await drain;
    for (const link of r1Links) await ask(link, false);
    expect(answers.filter((a) => a.duringRerun).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 302 || !a.location)).toEqual([]);

    const after = (await api<ApiExportDetail>(`/exports/${target.jobId}`)).body;
    expect(after).toMatchObject({ status: 'succeeded', revision: 2, pass: null, notice: null });
    expect(after.revisions.map((r) => [r.revision, r.role])).toEqual([[2, 'served'], [1, 'superseded']]);
    const [r2, r1] = after.revisions;
    expect(r1.records).toBe(r1Files.records);
    expect(r2.records).toBeGreaterThanOrEqual(r1.records);
    expect(r2.comparedWith).toMatchObject({ previousRevision: 1, missing: 0 });
    await verifyExport(target.jobId);

    // Revision 1's bytes are still the ones its listing named.
    for (const file of r1Files.files) {
      const followed = await fetch(`${host.httpUrl}/api/exports/${target.jobId}/files/${file.key}?revision=1`);
      expect(followed.status).toBe(200);
      expect(sha256(Buffer.from(await followed.arrayBuffer()))).toBe(file.sha256);
    }

    // Revision 2's manifest names revision 1, its manifest and its files.
    const manifest = (await (await fetch(`${host.httpUrl}${r2.manifest.download}`)).json()) as Manifest;
    expect(manifest.revision).toBe(2);
    expect(manifest.totals.records).toBe(r2.records);
    expect(manifest.previousRevision).toMatchObject({ revision: 1, records: r1.records, manifestBlob: r1.manifest.blobName, recordsNow: r2.records, missing: 0, replaced: true });
    expect(manifest.previousRevision?.files.map((f) => [f.key, f.sha256]).sort()).toEqual(r1Files.files.map((f) => [f.key, f.sha256]).sort());
    expect(new Set(manifest.files.map((f) => f.blobName)).size).toBe(manifest.files.length);
    for (const file of manifest.previousRevision?.files ?? []) expect(manifest.files.map((f) => f.blobName)).not.toContain(file.blobName);
  });
});
