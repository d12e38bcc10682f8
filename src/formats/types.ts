/**
 * What every output format implements. Encoders are pure: records in, bytes out, no I/O. The export worker
 * calls them page by page and stages the bytes as blob blocks; gzip is applied by the writer per block
 * (each block one gzip member), so an encoder never knows whether its output is compressed.
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

export interface EncodedBatch {
  bytes: Buffer;
  /** Data rows/records this batch added to the file (CSV side files may add several rows per record, or none). */
  rows: number;
  /** Audit CSV only: data the fixed-width layout could not hold (kept in the JSON formats). */
  truncated?: TruncationCounts;
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
  /** Bytes for a batch of records, which may be empty. */
  encode(records: readonly GraphRecord[], position: EncoderPosition): EncodedBatch;
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
