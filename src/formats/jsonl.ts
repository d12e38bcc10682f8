/** JSONL: one Graph record per line, exactly as Graph returned it (unknown properties kept), `\n` line ends. */
import type { EncodedBatch, FileEncoder, GraphRecord } from './types';

export function createJsonlEncoder(key: string, portalPrefix: string): FileEncoder {
  return {
    key,
    format: 'jsonl',
    contentType: 'application/x-ndjson',
    extension: 'jsonl',
    blobSuffix: '',
    portalPrefix,
    header: () => Buffer.alloc(0),
    encode(records: readonly GraphRecord[]): EncodedBatch {
      let text = '';
      for (const record of records) text += JSON.stringify(record) + '\n';
      return { bytes: Buffer.from(text, 'utf8'), rows: records.length };
    },
    footer: () => Buffer.alloc(0),
  };
}
