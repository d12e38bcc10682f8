import type { CsvCell } from './csvField';

/** One CSV column: its exact header text and how to derive the cell from a row source. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvCell;
}
