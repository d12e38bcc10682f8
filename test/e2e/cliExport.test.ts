/**
 * `entra-export` as a user runs it: the real binary in a child process against the Graph simulator, writing to a
 * temporary folder. A run is killed (SIGKILL) and interrupted (SIGINT) on the way and resumed; the folder must then
 * hold exactly the simulator's ground truth, every file matching its manifest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator, type SimulatorHandle } from '../../dev/graph-simulator';
import { STREAM_IDS, type StreamId } from '../../src/streams/catalog';
import { compileExportFilters } from '../../src/export/filters';
import { checkFolder, folderProblems, listFiles, readManifests } from '../support/localExportVerifier';

const ROOT = resolve(__dirname, '..', '..');
const HOUR = 3_600_000;
const hourNow = Math.floor(Date.now() / HOUR) * HOUR;
const FROM = new Date(hourNow - 4 * HOUR).toISOString();
const TO = new Date(hourNow - 2 * HOUR).toISOString();

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function runCli(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    // Only what the run needs: no AZURE_* or GRAPH_* of the machine running the tests.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolvePromise) =>
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

interface SavedJob {
  stream: string;
  status: string;
  checkpoint?: { cursor?: string; counts: { records: number } };
}

async function savedJobs(out: string): Promise<SavedJob[]> {
  try {
    return (JSON.parse(await readFile(join(out, '.entra-export', 'checkpoint.json'), 'utf8')) as { jobs: SavedJob[] }).jobs;
  } catch {
    return [];
  }
}

/** Waits until `run` holds the folder's lock. */
async function waitForLock(out: string, run: Run): Promise<void> {
  for (;;) {
    try {
      const owner = JSON.parse(await readFile(join(out, '.entra-export', 'lock'), 'utf8')) as { pid: number };
      if (owner.pid === run.child.pid) return;
    } catch {
      // not there yet, or being written
    }
    if (run.child.exitCode !== null) throw new Error(`the run ended before taking the lock: ${(await run.done).stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the folder's checkpoint shows at least `records` written by streams still paging. */
async function waitForCheckpoint(out: string, records: number, run: Run): Promise<number> {
  let exited = false;
  void run.done.then(() => (exited = true));
  for (;;) {
    const written = (await savedJobs(out)).filter((j) => j.status === 'running' && j.checkpoint?.cursor).reduce((n, j) => n + (j.checkpoint?.counts.records ?? 0), 0);
    if (written >= records) return written;
    if (exited) throw new Error(`the export ended before ${records} records were checkpointed: ${(await run.done).stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('entra-export against the Graph simulator', () => {
  let sim: SimulatorHandle;
  let out: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'cli-e2e',
      latency: 'none',
      timeScale: 20,
      throttle: { requests: 5, windowSeconds: 10 },
      volume: { audit: 400, interactiveSignIns: 800, nonInteractiveSignIns: 3000, servicePrincipalSignIns: 300, managedIdentitySignIns: 300, provisioning: 150 },
      publication: { lateShare: 0, republishShare: 0.03, splitShare: 0.03 },
    });
    env = { GRAPH_AUTH_MODE: 'simulator', GRAPH_BASE_URL: sim.url, GRAPH_PAGE_SIZE: '200', BLOCK_TARGET_BYTES: '65536' };
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'entra-export-e2e-'));
  });
  afterEach(() => rm(out, { recursive: true, force: true }));

  const args = () => ['--stream', 'all', '--from', FROM, '--to', TO, '--format', 'jsonl.gz,json,csv,diag.gz', '--out', out, '--no-progress'];

  it('killed, then interrupted, then resumed: exactly the ground truth, every file matching its manifest', async () => {
    // 1. Killed outright (no clean-up at all) once something is checkpointed.
    const first = runCli(args(), env);
    await waitForCheckpoint(out, 400, first);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect((await listFiles(out)).some((n) => n.endsWith('.partial'))).toBe(true);

    // 2. Resumed, and while it runs a second run on the same folder is refused; then Ctrl+C.
    const second = runCli(args(), env);
    await waitForLock(out, second);
    const before = await waitForCheckpoint(out, 0, second);
    const intruder = await runCli(args(), env).done;
    expect(intruder.code).toBe(5);
    expect(intruder.stderr).toMatch(/is being written by another run \(process \d+/);
    await waitForCheckpoint(out, before + 400, second);
    second.child.kill('SIGINT');
    const interrupted = await second.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/^Resuming /m);
    expect(interrupted.stderr).toContain('Stopped by Ctrl+C. Everything up to the last checkpoint is kept');

    // 3. Run to the end.
    const third = await runCli(args(), env).done;
    expect({ code: third.code, stderr: third.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/^Resuming /m) });
    expect(third.stdout).toMatch(/^Done\. Files and manifests/m);

    const checks = await checkFolder(out, sim);
    expect(checks.map((c) => c.stream)).toEqual([...STREAM_IDS].sort());
    for (const check of checks) {
      expect(check.expected).toBeGreaterThan(0);
      expect(folderProblems(check)).toEqual({ stream: check.stream });
    }
    const names = await listFiles(out);
    expect(names.filter((n) => n.endsWith('.partial'))).toEqual([]);
    const compact = (iso: string) => `${iso.slice(0, 16).replace(/[-:]/g, '')}Z`;
    expect(names).toContain(`audit_${compact(FROM)}_${compact(TO)}_diag.json.gz`);
    for (const manifest of await readManifests(out)) {
      expect(manifest).toMatchObject({ kind: 'cli', window: { start: FROM.replace('.000Z', '.0000000Z'), end: TO.replace('.000Z', '.0000000Z') } });
      expect(manifest.totals.invocations).toBeGreaterThanOrEqual(2);
    }

    // 4. Once more: nothing left to do, nothing rewritten.
    const requests = sim.stats().requests;
    const fourth = await runCli(args(), env).done;
    expect(fourth.code).toBe(0);
    expect(sim.stats().requests).toBe(requests);

    // 5. The folder belongs to this export.
    const other = await runCli(['--stream', 'audit', '--from', FROM, '--to', TO, '--out', out], env).done;
    expect(other.code).toBe(5);
    expect(other.stderr).toContain('holds another export (--stream audit,interactiveSignIns,nonInteractiveSignIns');
  });

  it('filters as the on-demand export API: exactly the matching records of the ground truth', async () => {
    const filtered = await runCli(['--stream', 'interactiveSignIns', '--from', FROM, '--to', TO, '--filter', 'status=failure', '--format', 'jsonl', '--out', out, '--no-progress'], env).done;
    expect(filtered.code).toBe(0);
    const [manifest] = await readManifests(out);
    expect(manifest.filters).toEqual({ status: 'failure' });
    // failure is applied while writing only (Graph has no filter for "any non-zero code but the interrupts").
    expect(manifest.totals.filteredOut).toBeGreaterThan(0);
    expect(filtered.stdout).toContain(`${(manifest.totals.filteredOut ?? 0).toLocaleString('en')} read but not matching the filters`);
    const expected = new Set<string>();
    const matches = compileExportFilters('interactiveSignIns', { status: 'failure' });
    for (const record of sim.expectedRecords({ stream: 'interactiveSignIns', start: manifest.window.start, end: manifest.window.end })) {
      if (matches.matches(record)) expected.add(record.id as string);
    }
    const exported = (await readFile(join(out, manifest.files[0].blobName), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(expected.size).toBeGreaterThan(0);
    expect(exported.sort()).toEqual([...expected].sort());

    // Filters Graph applies ($filter) and the writer checks again, over two streams at once.
    const apps = join(out, 'apps');
    const graphSide = await runCli(['--stream', 'interactiveSignIns,nonInteractiveSignIns', '--from', FROM, '--to', TO, '--filter', 'application=Azure*', '--format', 'jsonl', '--out', apps, '--no-progress'], env).done;
    expect(graphSide.code).toBe(0);
    const appManifests = await readManifests(apps);
    expect(appManifests.map((m) => m.stream)).toEqual(['interactiveSignIns', 'nonInteractiveSignIns']);
    for (const m of appManifests) {
      expect(m.filters).toEqual({ application: 'Azure*' });
      expect(m.filter).toContain("startswith(appDisplayName, 'Azure')");
      const stream = m.stream as StreamId;
      const want = compileExportFilters(stream, { application: 'Azure*' });
      const truth = [...sim.expectedRecords({ stream, start: m.window.start, end: m.window.end })].filter((r) => want.matches(r)).map((r) => r.id as string);
      const ids = (await readFile(join(apps, m.files[0].blobName), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
      expect(truth.length).toBeGreaterThan(0);
      expect(ids.sort()).toEqual(truth.sort());
    }

    const wrong = await runCli(['--stream', 'audit,provisioning', '--from', FROM, '--to', TO, '--filter', 'user=ana@contoso.com', '--out', out], env).done;
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining('--filter user: is not a filter of provisioning') });
  });

  it('documented exit codes for the mistakes users make first', async () => {
    const usage = await runCli(['--stream', 'signins', '--from', FROM, '--to', TO, '--out', out], env).done;
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('"signins" is not a stream') });

    const old = new Date(hourNow - 40 * 24 * HOUR).toISOString();
    const retention = await runCli(['--stream', 'audit', '--from', old, '--to', TO, '--out', out], env).done;
    expect(retention).toMatchObject({ code: 6, stderr: expect.stringContaining('older than Entra keeps activity logs (30 days') });

    const cloud = await runCli(['--stream', 'audit', '--from', FROM, '--to', TO, '--out', out], { ...env, GRAPH_AUTH_MODE: 'defaultAzureCredential', GRAPH_BASE_URL: 'https://graph.example.com' }).done;
    expect(cloud).toMatchObject({ code: 2, stderr: expect.stringContaining('GRAPH_BASE_URL: "https://graph.example.com" is not a Microsoft Graph service root') });

    const denied = await startSimulator({ latency: 'none', throttle: false, tenant: { missingPermission: true } });
    try {
      const refused = await runCli(['--stream', 'audit', '--from', FROM, '--to', TO, '--out', out], { ...env, GRAPH_BASE_URL: denied.url }).done;
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('PermissionMissing');
      expect(refused.stdout).toMatch(/^audit\s+failed/m);
    } finally {
      await denied.close();
    }
    expect(existsSync(join(out, '.entra-export', 'lock'))).toBe(false);
  });
});
