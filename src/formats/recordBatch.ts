/**
 * Record batches and text sinks: the shapes in which records reach the encoders and their text leaves them.
 * `recordBatch` stringifies each record once, straight into UTF-8; the JSON formats copy those bytes and the session's
 * fingerprints hash them.
 */
import { BlockBuffer } from './blockBuffer';
import type { EncodedBatch, EncoderPosition, FileEncoder, GraphRecord, RecordBatch, TextSink } from './types';

/**
 * The batch of `records`. Its `lines` live in `scratch` when one is given (the session reuses one buffer for every
 * batch): such a batch is valid until the next call with the same scratch.
 */
export function recordBatch(records: readonly GraphRecord[], scratch = new BlockBuffer()): RecordBatch {
  scratch.clear();
  const lineStarts = new Uint32Array(records.length + 1);
  for (let i = 0; i < records.length; i++) {
    lineStarts[i] = scratch.length;
    scratch.write(JSON.stringify(records[i]));
    scratch.write('\n');
  }
  lineStarts[records.length] = scratch.length;
  return { records, lines: scratch.bytes(), lineStarts };
}

/** Record i's JSON as UTF-8 (a view into the batch). */
export function recordJson(batch: RecordBatch, i: number): Buffer {
  return batch.lines.subarray(batch.lineStarts[i], batch.lineStarts[i + 1] - 1);
}

/** Collects written text in memory (for callers that want a batch's bytes on their own, e.g. tests). */
export class StringSink implements TextSink {
  private readonly parts: Buffer[] = [];

  write(text: string): void {
    this.parts.push(Buffer.from(text, 'utf8'));
  }

  writeBytes(bytes: Uint8Array): void {
    this.parts.push(Buffer.from(bytes));
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}

/** One batch of `records` encoded into bytes of its own. */
export function encodeRecords(encoder: FileEncoder, records: readonly GraphRecord[], position: EncoderPosition): EncodedBatch {
  const sink = new StringSink();
  const rows = encoder.encode(recordBatch(records), position, sink);
  return { ...rows, bytes: sink.bytes() };
}
