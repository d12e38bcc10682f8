/**
 * What every output format implements. Encoders are pure: records in, text out to a sink, no I/O. The export worker
 * calls them page by page with a sink that writes the text as UTF-8 straight into the file's block buffer, and stages
 * the buffer as a blob block; gzip is applied by the writer per block (each block one gzip member), so an encoder
 * never knows whether its output is compressed.
 */
import type { FormatId } from '../config';
import type { StreamId } from '../streams/catalog';

/** One Graph record, exactly as Graph returned it (unknown properties kept). */
export type GraphRecord = { id: string } & Record<string, unknown>;

/** Per-file facts an encoder needs that persist across invocations (stored in the job checkpoint). */
export interface EncoderPosition {
  /** Records (not rows) already written to this file before this batch. */
  recordsWritten: number;
}

/**
 * A batch of records as every encoder receives it, with each record's JSON made once (see recordBatch) and shared by
 * the JSON formats and the record fingerprints: a record is never stringified, or encoded as UTF-8, twice.
 */
export interface RecordBatch {
  readonly records: readonly GraphRecord[];
  /** `JSON.stringify` of every record as UTF-8, each followed by `\n`: exactly the batch's JSON Lines. */
  readonly lines: Buffer;
  /** Record i's line is `lines[lineStarts[i], lineStarts[i + 1])`, its JSON the same without the `\n`. */
  readonly lineStarts: Uint32Array;
}

/** Where an encoder writes: text (as UTF-8) or bytes. Writing many short pieces is cheaper than joining them first. */
export interface TextSink {
  write(text: string): void;
  writeBytes(bytes: Uint8Array): void;
}

/** What one batch added to a file. */
export interface BatchRows {
  /** Data rows/records this batch added to the file (CSV side files may add several rows per record, or none). */
  rows: number;
  /** Audit CSV only: data the fixed-width layout could not hold (kept in the JSON formats). */
  truncated?: TruncationCounts;
}

/** A batch encoded into bytes of its own (encodeRecords; tests and one-off callers). */
export interface EncodedBatch extends BatchRows {
  bytes: Buffer;
}

export interface TruncationCounts {
  /** Records that had more targets than the layout's columns. */
  recordsWithExtraTargets: number;
  /** Targets beyond the third, summed over records. */
  extraTargets: number;
  /** Modified properties beyond the fifth of a shown target, summed. */
  extraModifiedProperties: number;
  /** Additional details beyond the sixth, summed. */
  extraAdditionalDetails: number;
}

/** Encodes the records of one stream into one output file. */
export interface FileEncoder {
  /** Unique within a job, stable across versions: `jsonl`, `json`, `csv`, `csv-authdetails`, `csv-steps`, ... */
  readonly key: string;
  /** Format family this file belongs to. */
  readonly format: 'jsonl' | 'json' | 'csv' | 'diag';
  /** Content type of the uncompressed bytes, e.g. `text/csv; charset=utf-8`. */
  readonly contentType: string;
  /** Extension without the compression suffix: `jsonl`, `json`, `csv`. */
  readonly extension: string;
  /** Suffix added to blob and download names for side files (`authdetails`), empty for the main file. */
  readonly blobSuffix: string;
  /** Portal-style download prefix, e.g. `InteractiveSignIns_AuthDetails`. */
  readonly portalPrefix: string;
  /** Bytes before the first record: UTF-8 BOM and header line for CSV, `[` for a JSON array, nothing for JSONL. */
  header(): Buffer;
  /** Writes a batch of records, which may be empty, to `out`. */
  encode(batch: RecordBatch, position: EncoderPosition, out: TextSink): BatchRows;
  /** Bytes after the last record: `]` for a JSON array, nothing otherwise. */
  footer(position: EncoderPosition): Buffer;
}

export interface EncoderOptions {
  /** Prefix spreadsheet-formula cells (=, +, -, @, tab, CR) so they are shown, not run. Default true. */
  neutralizeFormulas: boolean;
  /** The tenant's id, written into every diagnostic-settings record (`diag`); other formats do not need it. */
  tenantId?: string;
}

/** A requested format, e.g. `csv.gz`, expanded to the files it produces for one stream. */
export interface PlannedFile {
  encoder: FileEncoder;
  gzip: boolean;
}

export type EncoderFactory = (stream: StreamId, formats: readonly FormatId[], options: EncoderOptions) => PlannedFile[];
