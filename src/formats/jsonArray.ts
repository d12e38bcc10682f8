/**
 * One JSON array of Graph records: the shape of the admin center's JSON download. Batches arrive across
 * invocations, so whether a record needs a leading separator comes from the persisted record count, which
 * makes the concatenation of header, every batch and footer valid JSON however the records were split.
 */
import type { EncodedBatch, EncoderPosition, FileEncoder, GraphRecord } from './types';

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
    encode(records: readonly GraphRecord[], position: EncoderPosition): EncodedBatch {
      let text = '';
      let written = position.recordsWritten;
      for (const record of records) {
        if (written > 0) text += SEPARATOR;
        text += JSON.stringify(record);
        written += 1;
      }
      return { bytes: Buffer.from(text, 'utf8'), rows: records.length };
    },
    footer: () => Buffer.from(']', 'utf8'),
  };
}
