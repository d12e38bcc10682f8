/** The CSV file encoder: BOM + quoted header, then one quoted CRLF row per row source of each record, one write per row. */
import type { CsvFileSpec } from '../../streams/catalog';
import type { BatchRows, EncoderOptions, FileEncoder, RecordBatch, TextSink } from '../types';
import { emptyTruncationCounts } from './auditColumns';
import { csvRow, UTF8_BOM } from './csvField';
import { CSV_LAYOUTS } from './csvLayouts';

export function createCsvEncoder(file: CsvFileSpec, key: string, options: EncoderOptions): FileEncoder {
  const layout = CSV_LAYOUTS[file.layout];
  const { columns } = layout;
  const neutralize = options.neutralizeFormulas;
  // Header names are fixed text, never neutralised (none starts with a formula character anyway).
  const headerBytes = Buffer.from(UTF8_BOM + csvRow(columns.map((c) => c.header), false), 'utf8');
  const cells: (string | number | boolean | null | undefined)[] = new Array(columns.length);
  return {
    key,
    format: 'csv',
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    blobSuffix: file.blobSuffix,
    portalPrefix: file.portalPrefix,
    header: () => Buffer.from(headerBytes),
    encode(batch: RecordBatch, _position, out: TextSink): BatchRows {
      let rows = 0;
      const counts = layout.addTruncation ? emptyTruncationCounts() : undefined;
      for (const record of batch.records) {
        for (const row of layout.rowsOf(record)) {
          for (let i = 0; i < columns.length; i++) cells[i] = columns[i].value(row);
          out.write(csvRow(cells, neutralize));
          rows += 1;
        }
        if (counts && layout.addTruncation) layout.addTruncation(record, counts);
      }
      return counts ? { rows, truncated: counts } : { rows };
    },
    footer: () => Buffer.alloc(0),
  };
}
