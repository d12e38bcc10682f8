import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportFolder, FolderInUseError, identityMismatch, type ExportIdentity } from '../../../src/cli/exportFolder';

const identity: ExportIdentity = { streams: ['audit'], from: '2026-11-27T00:00:00Z', to: '2026-11-28T00:00:00Z', formats: ['jsonl.gz'], filter: null, graphBaseUrl: 'https://graph.microsoft.com' };

describe('export folder', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'entra-export-folder-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('one run at a time: a live lock is refused, a dead run\'s lock is taken over', async () => {
    const first = new ExportFolder(root);
    await first.lock(new Date());
    await expect(new ExportFolder(root).lock(new Date())).rejects.toThrow(FolderInUseError);
    await expect(new ExportFolder(root).lock(new Date())).rejects.toThrow(/being written by another run \(process \d+/);
    await first.unlock();

    // A process that has exited leaves its lock behind.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    await writeFile(join(root, '.entra-export/lock'), JSON.stringify({ pid: deadPid, host: hostname(), since: '2026-11-27T00:00:00Z' }));
    const second = new ExportFolder(root);
    await expect(second.lock(new Date())).resolves.toEqual({ tookOverFrom: { pid: deadPid, host: hostname(), since: '2026-11-27T00:00:00Z' } });
    await second.unlock();

    await writeFile(join(root, '.entra-export/lock'), JSON.stringify({ pid: deadPid, host: 'another-machine', since: 'x' }));
    await expect(new ExportFolder(root).lock(new Date())).rejects.toThrow(/on another-machine/);
  });

  it('keeps the checkpoint across runs; refuses one it cannot read', async () => {
    const folder = new ExportFolder(root);
    expect(await folder.readCheckpoint()).toBeUndefined();
    await expect(folder.saveCheckpoint({ schemaVersion: 1, exporter: 'x', request: identity, jobs: [] })).rejects.toThrow(/without the folder lock/);
    await folder.lock(new Date());
    await folder.saveCheckpoint({ schemaVersion: 1, exporter: 'x', request: identity, tenantId: 't', jobs: [] });
    expect(await new ExportFolder(root).readCheckpoint()).toEqual({ schemaVersion: 1, exporter: 'x', request: identity, tenantId: 't', jobs: [] });
    await writeFile(join(root, '.entra-export/checkpoint.json'), '{"schemaVersion": 1, "jobs": [');
    await expect(folder.readCheckpoint()).rejects.toThrow(/not valid JSON/);
    await writeFile(join(root, '.entra-export/checkpoint.json'), JSON.stringify({ schemaVersion: 99, request: identity, jobs: [] }));
    await expect(folder.readCheckpoint()).rejects.toThrow(/schema 99/);
    await folder.unlock();
  });

  it('a resume must ask for the same export', () => {
    expect(identityMismatch(identity, { ...identity })).toBeUndefined();
    expect(identityMismatch(identity, { ...identity, streams: ['audit', 'provisioning'], to: '2026-11-29T00:00:00Z' })).toBe('--stream audit --to 2026-11-28T00:00:00Z');
  });
});
