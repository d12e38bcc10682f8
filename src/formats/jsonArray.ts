/**
 * One JSON array of Graph records: the shape of the admin center's JSON download. Batches arrive across
 * invocations, so whether a record needs a leading separator comes from the persisted record count, which
 * makes the concatenation of header, every batch and footer valid JSON however the records were split.
 */
import { recordJson } from './recordBatch';
import type { BatchRows, EncoderPosition, FileEncoder, RecordBatch, TextSink } from './types';

const SEPARATOR = ',\n';

export function createJsonArrayEncoder(key: string, portalPrefix: string): FileEncoder {
  return {
    key,
    format: 'json',
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    blobSuffix: '',
    portalPrefix,
    header: () => Buffer.from('[', 'utf8'),
    encode(batch: RecordBatch, position: EncoderPosition, out: TextSink): BatchRows {
      let written = position.recordsWritten;
      for (let i = 0; i < batch.records.length; i++) {
        if (written > 0) out.write(SEPARATOR);
        out.writeBytes(recordJson(batch, i));
        written += 1;
      }
      return { rows: batch.records.length };
    },
    footer: () => Buffer.from(']', 'utf8'),
  };
}
