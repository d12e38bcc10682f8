/**
 * One output file written as staged blocks of a block blob, resumable across processes.
 *
 * Nothing is visible until `commit`, and only blocks recorded in the checkpointed state are committed:
 * - Block ids are deterministic: the n-th block of the file (n counted over all runs) staged under lease
 *   epoch e has id blockId(e, n). A retry after a crash re-stages the same id and overwrites its orphan.
 * - A takeover (new lease epoch) starts a new run, so a stale worker still staging under its old epoch
 *   writes ids the new owner never lists; its blocks are never committed and expire uncommitted.
 * - Blocks staged after the last checkpoint are not in the checkpointed runs, so they are not committed either.
 *
 * gzip: each block is one complete gzip member, so the blob is a valid multi-member gzip file (gunzip and
 * zlib read all members). Store such a file with contentType `application/gzip` and no Content-Encoding:
 * a download is then the .gz file byte for byte, and its sha256sum equals the SHA-256 recorded here. The
 * caller chooses the content type.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { blockId } from './blockIds';
import { EMPTY_SHA256_STATE, ResumableSha256, type Sha256State } from './sha256';

const gzipAsync = promisify(gzip);

/** Blob metadata holding the SHA-256 (hex) of the committed bytes. */
export const SHA256_METADATA = 'sha256';

/** Put Block List accepts at most 50,000 committed blocks per blob. */
export const MAX_BLOCKS_PER_BLOB = 50_000;

export interface StagedFileState {
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

export class StagedBlobFile {
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
    private readonly container: ContainerClient,
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

  /** One stage at a time per file: the block's id is its position, which is known only once the previous one is staged. */
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
    const payload = this.initial.gzip ? await gzipAsync(data, { level: 6 }) : data;
    const id = blockId(this.epoch, this.blockCount);
    const md5 = createHash('md5').update(payload).digest();
    await this.container.getBlockBlobClient(this.initial.blobName).stageBlock(id, payload, payload.length, { transactionalContentMD5: md5 });
    // The state changes only after the block is durable, so a failed stage is retried under the same id.
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

  /**
   * Commits the staged blocks as the blob. Idempotent without rewriting: when the blob already holds exactly these
   * bytes (its length, and the SHA-256 an earlier commit recorded in its metadata), nothing is written, so a retry
   * after a crash between the commit and the job's update works under a WORM policy, which refuses any rewrite.
   */
  async commit(headers: CommitHeaders): Promise<{ bytes: number; sha256: string }> {
    const blob = this.container.getBlockBlobClient(this.initial.blobName);
    const sha256 = (await this.hash()).digestHex();
    if (await this.alreadyCommitted(sha256)) return { bytes: this.bytes, sha256 };
    // Put Block List looks up each id among uncommitted blocks first, then committed ones ("latest"), so
    // re-running a commit that already succeeded yields the same blob.
    await blob.commitBlockList(committedBlockIds(this.runs), {
      blobHTTPHeaders: { blobContentType: headers.contentType, blobContentDisposition: headers.contentDisposition },
      metadata: { ...headers.metadata, [SHA256_METADATA]: sha256 },
    });
    const properties = await blob.getProperties();
    if (properties.contentLength !== this.bytes) {
      throw new Error(`Committed ${this.initial.blobName} has ${properties.contentLength} bytes, expected ${this.bytes}`);
    }
    return { bytes: this.bytes, sha256 };
  }

  /** Whether the blob exists with exactly the bytes staged here. */
  private async alreadyCommitted(sha256: string): Promise<boolean> {
    try {
      const properties = await this.container.getBlockBlobClient(this.initial.blobName).getProperties();
      return properties.contentLength === this.bytes && properties.metadata?.[SHA256_METADATA] === sha256;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  private hash(): Promise<ResumableSha256> {
    this.hasher ??= ResumableSha256.resume(this.initial.sha256);
    return this.hasher;
  }
}
