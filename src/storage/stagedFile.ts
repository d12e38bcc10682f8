/**
 * One output file written block by block, resumable across processes, whatever holds the bytes: a block blob in
 * Azure (StagedBlobFile) or a file on local disk (the command-line export). The bookkeeping lives here once; a
 * BlockSink only stores blocks and, at the end, makes exactly the recorded ones the file.
 *
 * - Blocks are numbered over all runs; the n-th block staged under lease epoch e has id blockId(e, n) and starts at
 *   the byte offset the state recorded before it. A retry after a crash writes the same block at the same place
 *   and overwrites its orphan.
 * - Only blocks in the checkpointed state (`runs`, `bytes`) belong to the file. A takeover (new epoch) starts a new
 *   run; blocks staged after the last checkpoint are not recorded and are never committed.
 * - gzip: each block is one complete gzip member, so the file is a valid multi-member gzip file (gunzip and zlib
 *   read all members), and its SHA-256 is over the stored bytes: what `sha256sum` prints for the file.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { blockId } from './blockIds';
import { EMPTY_SHA256_STATE, ResumableSha256, type Sha256State } from './sha256';

const gzipAsync = promisify(gzip);

/**
 * Level 6 (zlib's default). The output chunk of 256 KiB instead of zlib's 16 KiB: a 4 MiB block of JSON lines
 * compresses to a few hundred KiB, which then comes back from the thread pool in one or two pieces rather than
 * dozens (each a callback on the main thread and a piece to join). The compressed bytes do not depend on it.
 */
const GZIP_OPTIONS = { level: 6, chunkSize: 256 * 1024 } as const;

/** Put Block List accepts at most 50,000 committed blocks per blob; local files keep the same limit. */
export const MAX_BLOCKS_PER_BLOB = 50_000;

export interface StagedFileState {
  /** Blob name, or the file's path relative to the export folder. */
  blobName: string;
  gzip: boolean;
  /** Blocks staged so far, run-length by lease epoch: [[epoch, count], ...] in order. A takeover starts a new run, so blocks a stale worker staged (other epoch) are never committed. */
  runs: Array<[number, number]>;
  /** bytes of the final file so far (after gzip) */
  bytes: number;
  /** over the final bytes so far */
  sha256: Sha256State;
  /** bookkeeping the worker fills in (kept here so one object is checkpointed per file) */
  records: number;
  rows: number;
}

export interface CommitHeaders {
  contentType: string;
  contentDisposition?: string;
  metadata?: Record<string, string>;
}

export interface StagedBlock {
  /** Deterministic id: blockId(epoch, index). */
  id: string;
  /** Position among all blocks of the file. */
  index: number;
  /** Where the block starts in the final file. */
  offset: number;
  payload: Uint8Array;
}

/** Where the blocks of one file go. Writing the same block again (same index and offset) must be harmless. */
export interface BlockSink {
  write(block: StagedBlock): Promise<void>;
  /**
   * Makes exactly these blocks, `bytes` in all with SHA-256 `sha256` (hex), the file's content; safe to repeat after
   * it succeeded, and then it writes nothing (a WORM policy refuses any rewrite).
   */
  commit(blockIds: string[], bytes: number, sha256: string, headers: CommitHeaders): Promise<void>;
}

export function newStagedFileState(blobName: string, gzip: boolean): StagedFileState {
  return { blobName, gzip, runs: [], bytes: 0, sha256: EMPTY_SHA256_STATE, records: 0, rows: 0 };
}

/** Every block id of the state, in file order. */
export function committedBlockIds(runs: ReadonlyArray<readonly [number, number]>): string[] {
  const ids: string[] = [];
  for (const [epoch, count] of runs) {
    for (let i = 0; i < count; i++) ids.push(blockId(epoch, ids.length));
  }
  return ids;
}

export class StagedFile {
  private readonly runs: Array<[number, number]>;
  /** Created on first use (the WebAssembly hasher is asynchronous to create). */
  private hasher?: Promise<ResumableSha256>;
  private sha256: Sha256State;
  private bytes: number;
  private records: number;
  private rows: number;
  private blockCount: number;
  private staging = false;

  constructor(
    private readonly sink: BlockSink,
    private readonly initial: StagedFileState,
    private readonly epoch: number,
  ) {
    blockId(epoch, 0); // validates the epoch early
    this.runs = initial.runs.map(([e, n]) => [e, n]);
    this.blockCount = this.runs.reduce((sum, [, n]) => sum + n, 0);
    this.sha256 = initial.sha256;
    this.bytes = initial.bytes;
    this.records = initial.records;
    this.rows = initial.rows;
    if (String(this.bytes) !== initial.sha256.length) {
      throw new Error(`Checkpoint of ${initial.blobName} is inconsistent: ${this.bytes} bytes but the hash covers ${initial.sha256.length}`);
    }
  }

  get blobName(): string {
    return this.initial.blobName;
  }

  /** Adds to the record and row counts that are checkpointed with the file. */
  addCounts(records: number, rows: number): void {
    this.records += records;
    this.rows += rows;
  }

  /** One stage at a time per file: the block's id and offset are known only once the previous one is staged. */
  async stage(data: Uint8Array): Promise<number> {
    if (data.length === 0) return 0;
    if (this.staging) throw new Error(`${this.initial.blobName}: a block is already being staged; await each stage before the next`);
    this.staging = true;
    try {
      return await this.stageNext(data);
    } finally {
      this.staging = false;
    }
  }

  private async stageNext(data: Uint8Array): Promise<number> {
    if (this.blockCount >= MAX_BLOCKS_PER_BLOB) {
      throw new Error(`${this.initial.blobName} already has ${MAX_BLOCKS_PER_BLOB} blocks, the most one blob can commit; stage larger blocks`);
    }
    const payload = this.initial.gzip ? await gzipAsync(data, GZIP_OPTIONS) : data;
    await this.sink.write({ id: blockId(this.epoch, this.blockCount), index: this.blockCount, offset: this.bytes, payload });
    // The state changes only after the block is durable, so a failed stage is retried under the same id and offset.
    const last = this.runs[this.runs.length - 1];
    if (last && last[0] === this.epoch) last[1] += 1;
    else this.runs.push([this.epoch, 1]);
    this.blockCount += 1;
    const hash = await this.hash();
    hash.update(payload);
    this.sha256 = hash.state();
    this.bytes += payload.length;
    return payload.length;
  }

  state(): StagedFileState {
    return {
      blobName: this.initial.blobName,
      gzip: this.initial.gzip,
      runs: this.runs.map(([e, n]) => [e, n]),
      bytes: this.bytes,
      sha256: this.sha256,
      records: this.records,
      rows: this.rows,
    };
  }

  async commit(headers: CommitHeaders): Promise<{ bytes: number; sha256: string }> {
    const sha256 = (await this.hash()).digestHex();
    await this.sink.commit(committedBlockIds(this.runs), this.bytes, sha256, headers);
    return { bytes: this.bytes, sha256 };
  }

  private hash(): Promise<ResumableSha256> {
    this.hasher ??= ResumableSha256.resume(this.initial.sha256);
    return this.hasher;
  }
}
