/**
 * The files of one job, written in one Graph pass: every batch of records goes through every format's encoder
 * into an in-memory buffer per file; a flush stages each buffer as the next blob block. Only the checkpoint
 * that follows a flush makes those blocks part of the file (see StagedBlobFile), so memory holds at most one
 * block per file whatever the size of the export. Where the blocks go is the store's business (fileStore.ts).
 */
import type { EncoderOptions, GraphRecord, PlannedFile, TruncationCounts } from '../formats/types';
import { downloadFileName, planFiles } from '../formats';
import { newStagedFileState, type StagedFile, type StagedFileState } from '../storage/stagedFile';
import type { ExportFileStore } from '../storage/fileStore';
import type { FormatId } from '../config';
import type { StreamId } from '../streams/catalog';
import type { Ticks } from '../time/instant';
import type { ExportedFile } from './job';
import { dataBlobName } from './jobIds';

interface OpenFile {
  planned: PlannedFile;
  staged: StagedFile;
  /** Records encoded into this file, buffered ones included. */
  records: number;
  rows: number;
  buffer: Buffer[];
  bufferedBytes: number;
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
      return { planned, staged: store.openFile(state, epoch), records: state.records, rows: state.rows, buffer: [], bufferedBytes: 0 };
    });
    const prints = saved?.[FINGERPRINTS_KEY] ?? newStagedFileState(`${baseName}.fingerprints`, false);
    this.fingerprints = { planned: this.files[0].planned, staged: store.openFile(prints, epoch), records: prints.records, rows: prints.rows, buffer: [], bufferedBytes: 0 };
  }

  /** The fingerprint lines of the records last given to `add`. */
  addFingerprints(lines: string, records: number): void {
    this.push(this.fingerprints, Buffer.from(lines, 'utf8'));
    this.fingerprints.records += records;
  }

  /** Encodes a batch into every file's buffer. */
  add(records: readonly GraphRecord[]): void {
    if (records.length === 0) return;
    for (const file of this.files) {
      const { encoder } = file.planned;
      if (file.records === 0 && file.bufferedBytes === 0) this.push(file, encoder.header());
      const batch = encoder.encode(records, { recordsWritten: file.records });
      this.push(file, batch.bytes);
      file.records += records.length;
      file.rows += batch.rows;
      if (batch.truncated) this.addTruncation(batch.truncated);
    }
  }

  bufferedBytes(): number {
    return this.files.reduce((sum, f) => sum + f.bufferedBytes, 0);
  }

  /** Stages every non-empty buffer as one block. */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.files, this.fingerprints].map(async (file) => {
        if (file.bufferedBytes === 0) return;
        const data = Buffer.concat(file.buffer, file.bufferedBytes);
        file.buffer = [];
        file.bufferedBytes = 0;
        await file.staged.stage(data);
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
      if (file.records > 0) this.push(file, file.planned.encoder.footer({ recordsWritten: file.records }));
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

  private push(file: OpenFile, bytes: Buffer): void {
    if (bytes.length === 0) return;
    file.buffer.push(bytes);
    file.bufferedBytes += bytes.length;
  }

  private addTruncation(t: TruncationCounts): void {
    const into = (this.truncation ??= { recordsWithExtraTargets: 0, extraTargets: 0, extraModifiedProperties: 0, extraAdditionalDetails: 0 });
    into.recordsWithExtraTargets += t.recordsWithExtraTargets;
    into.extraTargets += t.extraTargets;
    into.extraModifiedProperties += t.extraModifiedProperties;
    into.extraAdditionalDetails += t.extraAdditionalDetails;
  }
}
