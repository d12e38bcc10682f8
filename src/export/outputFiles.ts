/**
 * The files of one job, written in one Graph pass: every batch of records goes through every format's encoder
 * into an in-memory block buffer per file (BlockBuffer, reused from block to block); a flush stages each buffer as the
 * next block. Only the checkpoint that follows a flush makes those blocks part of the file (see StagedFile), so
 * memory holds at most one block per file whatever the size of the export. Where the blocks go is the store's
 * business (fileStore.ts).
 */
import type { EncoderOptions, PlannedFile, RecordBatch, TruncationCounts } from '../formats/types';
import { downloadFileName, planFiles } from '../formats';
import { newStagedFileState, type StagedFile, type StagedFileState } from '../storage/stagedFile';
import type { ExportFileStore } from '../storage/fileStore';
import type { FormatId } from '../config';
import type { StreamId } from '../streams/catalog';
import type { Ticks } from '../time/instant';
import type { ExportedFile } from './job';
import { BlockBuffer } from '../formats/blockBuffer';
import { type Fingerprint, writeFingerprintLines } from './fingerprints';
import { dataBlobName } from './jobIds';

interface OpenFile {
  planned: PlannedFile;
  staged: StagedFile;
  /** Records encoded into this file, buffered ones included. */
  records: number;
  rows: number;
  buffer: BlockBuffer;
}

/** Checkpoint key of the revision's fingerprints file (fingerprints.ts); not a format, not listed among the files. */
export const FINGERPRINTS_KEY = '_fingerprints';

export class OutputFiles {
  private readonly files: OpenFile[];
  private readonly fingerprints: OpenFile;
  private truncation?: TruncationCounts;

  constructor(
    store: ExportFileStore,
    stream: StreamId,
    formats: readonly FormatId[],
    options: EncoderOptions,
    private readonly baseName: string,
    saved: Record<string, StagedFileState> | undefined,
    epoch: number,
    truncation: TruncationCounts | undefined,
  ) {
    this.truncation = truncation ? { ...truncation } : undefined;
    this.files = planFiles(stream, formats, options).map((planned) => {
      const { encoder, gzip } = planned;
      const state = saved?.[encoder.key] ?? newStagedFileState(dataBlobName(baseName, encoder.blobSuffix, encoder.extension, gzip), gzip);
      return { planned, staged: store.openFile(state, epoch), records: state.records, rows: state.rows, buffer: new BlockBuffer() };
    });
    const prints = saved?.[FINGERPRINTS_KEY] ?? newStagedFileState(`${baseName}.fingerprints`, false);
    this.fingerprints = { planned: this.files[0].planned, staged: store.openFile(prints, epoch), records: prints.records, rows: prints.rows, buffer: new BlockBuffer() };
  }

  /** The fingerprints of the records last given to `add`. */
  addFingerprints(prints: readonly Fingerprint[]): void {
    writeFingerprintLines(prints, this.fingerprints.buffer);
    this.fingerprints.records += prints.length;
  }

  /** Encodes a batch into every file's buffer. */
  add(batch: RecordBatch): void {
    const count = batch.records.length;
    if (count === 0) return;
    for (const file of this.files) {
      const { encoder } = file.planned;
      if (file.records === 0 && file.buffer.length === 0) file.buffer.writeBytes(encoder.header());
      const added = encoder.encode(batch, { recordsWritten: file.records }, file.buffer);
      file.records += count;
      file.rows += added.rows;
      if (added.truncated) this.addTruncation(added.truncated);
    }
  }

  bufferedBytes(): number {
    return this.files.reduce((sum, f) => sum + f.buffer.length, 0);
  }

  /** Stages every non-empty buffer as one block. */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.files, this.fingerprints].map(async (file) => {
        if (file.buffer.length === 0) return;
        // Cleared only once the block is staged: staging (gzip, upload, hash) reads the buffer itself, not a copy.
        await file.staged.stage(file.buffer.bytes());
        file.buffer.clear();
      }),
    );
  }

  /** Per-file state for the checkpoint; call right after flush(). */
  state(): Record<string, StagedFileState> {
    const out: Record<string, StagedFileState> = {};
    for (const file of this.files) out[file.planned.encoder.key] = { ...file.staged.state(), records: file.records, rows: file.rows };
    out[FINGERPRINTS_KEY] = { ...this.fingerprints.staged.state(), records: this.fingerprints.records, rows: this.fingerprints.records };
    return out;
  }

  truncationCounts(): TruncationCounts | undefined {
    return this.truncation ? { ...this.truncation } : undefined;
  }

  /**
   * Buffers each file's footer: called once, before the flush of the checkpoint that ends paging, so that checkpoint
   * holds every block of every file and a commit from it (or its retry) always commits the same bytes.
   */
  addFooters(): void {
    for (const file of this.files) {
      if (file.records > 0) file.buffer.writeBytes(file.planned.encoder.footer({ recordsWritten: file.records }));
    }
  }

  /**
   * Commits each file. `footersStaged`: the checkpoint's blocks end with the footers (addFooters); a checkpoint
   * written before footers were staged with the last page gets them staged here. Returns what the manifest lists.
   */
  async commit(window: { start: Ticks; end: Ticks }, metadata: Record<string, string>, footersStaged: boolean): Promise<ExportedFile[]> {
    const committed: ExportedFile[] = [];
    for (const file of this.files) {
      const { encoder, gzip } = file.planned;
      if (file.records === 0) continue;
      if (!footersStaged) await file.staged.stage(encoder.footer({ recordsWritten: file.records }));
      const downloadName = downloadFileName(encoder, gzip, window);
      const contentType = gzip ? 'application/gzip' : encoder.contentType;
      const { bytes, sha256 } = await file.staged.commit({ contentType, metadata });
      committed.push({
        key: encoder.key,
        blobName: file.staged.state().blobName,
        downloadName,
        contentType,
        gzip,
        bytes,
        records: file.records,
        rows: file.rows,
        sha256,
      });
    }
    return committed;
  }

  /** Commits the fingerprints file; its blob name, or undefined for a revision without records. */
  async commitFingerprints(metadata: Record<string, string>): Promise<string | undefined> {
    if (this.fingerprints.records === 0) return undefined;
    await this.fingerprints.staged.commit({ contentType: 'text/plain; charset=utf-8', metadata });
    return this.fingerprints.staged.state().blobName;
  }

  get base(): string {
    return this.baseName;
  }

  private addTruncation(t: TruncationCounts): void {
    const into = (this.truncation ??= { recordsWithExtraTargets: 0, extraTargets: 0, extraModifiedProperties: 0, extraAdditionalDetails: 0 });
    into.recordsWithExtraTargets += t.recordsWithExtraTargets;
    into.extraTargets += t.extraTargets;
    into.extraModifiedProperties += t.extraModifiedProperties;
    into.extraAdditionalDetails += t.extraAdditionalDetails;
  }
}
