/**
 * Export files on local disk, for the command-line export: the same staged, resumable files as in Blob storage
 * (StagedFile), stored under a folder with the blob names as relative paths.
 *
 * A file is written to `<name>.partial` at the offsets the checkpointed state gives, each block made durable
 * (fdatasync) before the state that names it is saved. Writing a block also cuts the file right after it, so
 * whatever a killed run wrote past its last checkpoint is overwritten or cut away: the file is always exactly the
 * checkpointed blocks plus, at most, the block being written. `commit` cuts the file to the checkpointed length and
 * renames it to its final name, so a reader never sees a half-written file under the final name.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ExportFileStore } from './fileStore';
import { StagedFile, type BlockSink, type CommitHeaders, type StagedBlock, type StagedFileState } from './stagedFile';

export const PARTIAL_SUFFIX = '.partial';

/** The file's path under `root`; refuses names that would leave the folder. */
export function pathUnder(root: string, name: string): string {
  const full = resolve(root, name);
  const rel = relative(resolve(root), full);
  if (name === '' || isAbsolute(name) || rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new Error(`Refusing to write ${JSON.stringify(name)} outside ${root}`);
  }
  return full;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Makes a rename or a new file in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalBlockSink implements BlockSink {
  private readonly finalPath: string;
  private readonly partialPath: string;

  constructor(root: string, name: string) {
    this.finalPath = pathUnder(root, name);
    this.partialPath = this.finalPath + PARTIAL_SUFFIX;
  }

  async write(block: StagedBlock): Promise<void> {
    await mkdir(dirname(this.partialPath), { recursive: true });
    const handle = await open(this.partialPath, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const { size } = await handle.stat();
      if (size < block.offset) {
        throw new Error(
          `${this.partialPath} has ${size} bytes but the checkpoint says ${block.offset} were written: the folder was changed behind the export's back; start the export again in an empty folder`,
        );
      }
      let written = 0;
      while (written < block.payload.length) {
        const { bytesWritten } = await handle.write(block.payload, written, block.payload.length - written, block.offset + written);
        written += bytesWritten;
      }
      await handle.truncate(block.offset + block.payload.length);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async commit(_blockIds: string[], bytes: number, _sha256: string, _headers: CommitHeaders): Promise<void> {
    const partial = await sizeOf(this.partialPath);
    if (partial === undefined) {
      const final = await sizeOf(this.finalPath);
      if (final === bytes) return; // committed before a crash that came ahead of the checkpoint
      if (bytes === 0) {
        await mkdir(dirname(this.finalPath), { recursive: true });
        await writeFile(this.finalPath, Buffer.alloc(0));
        return;
      }
      throw new Error(`${this.partialPath} is missing${final === undefined ? '' : ` and ${this.finalPath} has ${final} bytes`}; expected ${bytes} bytes`);
    }
    if (partial < bytes) throw new Error(`${this.partialPath} has ${partial} bytes, expected at least ${bytes}: the folder was changed behind the export's back`);
    if (partial > bytes) await truncate(this.partialPath, bytes);
    const handle = await open(this.partialPath, constants.O_RDWR);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.partialPath, this.finalPath);
    await syncDirectory(dirname(this.finalPath));
  }
}

/** Writes `data` to `name` under `root` atomically: a temporary file, flushed, renamed over the old one. */
export async function writeFileAtomically(root: string, name: string, data: Uint8Array): Promise<void> {
  const path = pathUnder(root, name);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}

/** The files of exports kept under one local folder. */
export class LocalFileStore implements ExportFileStore {
  constructor(readonly root: string) {}

  openFile(state: StagedFileState, epoch: number): StagedFile {
    return new StagedFile(new LocalBlockSink(this.root, state.blobName), state, epoch);
  }

  async writeJson(name: string, body: Buffer): Promise<void> {
    await writeFileAtomically(this.root, name, body);
  }

  read(name: string): Promise<Buffer> {
    return readFile(pathUnder(this.root, name));
  }

  async readIfExists(name: string): Promise<Buffer | undefined> {
    try {
      return await this.read(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  pathOf(name: string): string {
    return pathUnder(this.root, name);
  }
}

