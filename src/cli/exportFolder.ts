/**
 * The export folder's own bookkeeping, in `<folder>/.entra-export/`: a lock so that two runs never write one folder
 * at once, and the checkpoint that replaces the job rows of the cloud (each stream's job with its Graph cursor, the
 * ids written at that cursor and the byte length of every file), saved atomically after every flush. A run that
 * finds a checkpoint resumes from it; one that finds another export's checkpoint refuses to touch the folder.
 */
import { hostname } from 'node:os';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportJob } from '../export/job';
import { writeFileAtomically } from '../storage/localFileStore';

export const STATE_FOLDER = '.entra-export';
const LOCK_FILE = `${STATE_FOLDER}/lock`;
const CHECKPOINT_FILE = `${STATE_FOLDER}/checkpoint.json`;
export const CHECKPOINT_SCHEMA_VERSION = 1;

/** What was asked: a resume must ask for exactly the same. */
export interface ExportIdentity {
  streams: string[];
  from: string;
  to: string;
  formats: string[];
  filter: string | null;
  graphBaseUrl: string;
}

export interface FolderCheckpoint {
  schemaVersion: number;
  exporter: string;
  request: ExportIdentity;
  /** The tenant whose logs these are (from the Graph token), once known. */
  tenantId?: string;
  jobs: ExportJob[];
}

/** The folder is locked by a live run, or holds something this run must not overwrite. */
export class FolderInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderInUseError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ExportFolder {
  private locked = false;

  constructor(readonly root: string) {}

  /**
   * Takes the folder's lock. A lock left by a run that died on this machine is taken over; a live run's lock, or
   * one from another machine (a shared drive), is refused.
   */
  async lock(now: Date): Promise<{ tookOverFrom?: LockOwner }> {
    await mkdir(join(this.root, STATE_FOLDER), { recursive: true });
    const path = join(this.root, LOCK_FILE);
    const me: LockOwner = { pid: process.pid, host: hostname(), since: now.toISOString() };
    let tookOverFrom: LockOwner | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        try {
          await handle.writeFile(JSON.stringify(me));
          await handle.sync();
        } finally {
          await handle.close();
        }
        this.locked = true;
        return { tookOverFrom };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readLock(path);
      if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
        throw new FolderInUseError(
          `${this.root} is being written by another run (process ${owner.pid} on ${owner.host}, since ${owner.since}); wait for it to end or use another folder. If that run is gone, delete ${path}.`,
        );
      }
      tookOverFrom = owner;
      await rm(path, { force: true });
    }
    throw new FolderInUseError(`${this.root}: could not take the lock ${path}`);
  }

  async unlock(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await rm(join(this.root, LOCK_FILE), { force: true });
  }

  async readCheckpoint(): Promise<FolderCheckpoint | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.root, CHECKPOINT_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let parsed: FolderCheckpoint;
    try {
      parsed = JSON.parse(text) as FolderCheckpoint;
    } catch {
      throw new FolderInUseError(`${join(this.root, CHECKPOINT_FILE)} is not valid JSON; the folder cannot be resumed. Start again in an empty folder.`);
    }
    if (parsed.schemaVersion !== CHECKPOINT_SCHEMA_VERSION || !Array.isArray(parsed.jobs) || typeof parsed.request !== 'object') {
      throw new FolderInUseError(`${join(this.root, CHECKPOINT_FILE)} was written by an exporter this version cannot resume (schema ${String(parsed.schemaVersion)}). Start again in an empty folder.`);
    }
    return parsed;
  }

  async saveCheckpoint(checkpoint: FolderCheckpoint): Promise<void> {
    if (!this.locked) throw new Error('saveCheckpoint without the folder lock');
    await writeFileAtomically(this.root, CHECKPOINT_FILE, Buffer.from(JSON.stringify(checkpoint), 'utf8'));
  }
}

async function readLock(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') return { pid: owner.pid, host: owner.host, since: String(owner.since) };
  } catch {
    // An empty or torn lock file: its writer died while creating it.
  }
  return undefined;
}

/** Why a folder's checkpoint does not belong to this request, or undefined when it does. */
export function identityMismatch(saved: ExportIdentity, asked: ExportIdentity): string | undefined {
  const differences: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(saved.streams, asked.streams)) differences.push(`--stream ${saved.streams.join(',')}`);
  if (saved.from !== asked.from) differences.push(`--from ${saved.from}`);
  if (saved.to !== asked.to) differences.push(`--to ${saved.to}`);
  if (!same(saved.formats, asked.formats)) differences.push(`--format ${saved.formats.join(',')}`);
  if (saved.filter !== asked.filter) differences.push(`filter ${saved.filter ?? '(none)'}`);
  if (saved.graphBaseUrl !== asked.graphBaseUrl) differences.push(`GRAPH_BASE_URL ${saved.graphBaseUrl}`);
  return differences.length ? differences.join(' ') : undefined;
}
