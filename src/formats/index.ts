/**
 * Output formats: a requested format list expanded to the files one stream's export writes, each with a pure
 * encoder. `csv` expands to every CSV file of the stream (main file plus side files such as `_AuthDetails`).
 */
import type { FormatId } from '../config';
import { streamDefinition, type StreamId } from '../streams/catalog';
import { createCsvEncoder } from './csv/csvEncoder';
import { createDiagnosticSettingsEncoder } from './diagnosticSettings';
import { createJsonArrayEncoder } from './jsonArray';
import { createJsonlEncoder } from './jsonl';
import type { EncoderOptions, PlannedFile } from './types';

export { downloadFileName, sanitizeFileName, MAX_FILE_NAME_LENGTH } from './fileNames';
export { BlockBuffer } from './blockBuffer';
export { encodeRecords, recordBatch, recordJson, StringSink } from './recordBatch';
export type * from './types';

export const DEFAULT_ENCODER_OPTIONS: EncoderOptions = { neutralizeFormulas: true };

type FormatFamily = 'jsonl' | 'json' | 'csv' | 'diag';

function familyOf(format: FormatId): FormatFamily {
  return format.endsWith('.gz') ? (format.slice(0, -3) as FormatFamily) : (format as FormatFamily);
}

/**
 * Files for `formats` of `stream`, in request order. Keys: `jsonl`, `json`, `diag`, `csv`, and `csv-<blobSuffix>` for
 * CSV side files (`csv-authdetails`, `csv-steps`, `csv-modifiedproperties`). When a family is requested both
 * plain and gzipped (`csv` and `csv.gz`), the gzipped files' keys end in `-gz` so every key stays unique.
 * A format listed twice is a caller error.
 */
export function planFiles(stream: StreamId, formats: readonly FormatId[], options: EncoderOptions): PlannedFile[] {
  if (new Set(formats).size !== formats.length) {
    throw new RangeError(`Format list ${formats.join(',')} names a format twice`);
  }
  const definition = streamDefinition(stream);
  const requested = new Set(formats);
  const planned: PlannedFile[] = [];
  for (const format of formats) {
    const family = familyOf(format);
    const gzip = format.endsWith('.gz');
    const keySuffix = gzip && requested.has(family) ? '-gz' : '';
    if (family === 'jsonl') {
      planned.push({ encoder: createJsonlEncoder(`jsonl${keySuffix}`, definition.portalPrefix), gzip });
    } else if (family === 'json') {
      planned.push({ encoder: createJsonArrayEncoder(`json${keySuffix}`, definition.portalPrefix), gzip });
    } else if (family === 'diag') {
      planned.push({ encoder: createDiagnosticSettingsEncoder(`diag${keySuffix}`, definition, options.tenantId), gzip });
    } else {
      for (const file of definition.csvFiles) {
        const key = (file.blobSuffix === '' ? 'csv' : `csv-${file.blobSuffix}`) + keySuffix;
        planned.push({ encoder: createCsvEncoder(file, key, options), gzip });
      }
    }
  }
  return planned;
}
