/** JSONL: one Graph record per line, exactly as Graph returned it (unknown properties kept), `\n` line ends. */
import type { BatchRows, FileEncoder, RecordBatch, TextSink } from './types';

export function createJsonlEncoder(key: string, portalPrefix: string): FileEncoder {
  return {
    key,
    format: 'jsonl',
    contentType: 'application/x-ndjson',
    extension: 'jsonl',
    blobSuffix: '',
    portalPrefix,
    header: () => Buffer.alloc(0),
    encode(batch: RecordBatch, _position, out: TextSink): BatchRows {
      // The batch's lines are this format, byte for byte.
      out.writeBytes(batch.lines);
      return { rows: batch.records.length };
    },
    footer: () => Buffer.alloc(0),
  };
}
