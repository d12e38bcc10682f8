/**
 * The exact lexical form of the admin center's CSV: every field in double quotes, embedded quotes doubled,
 * embedded line breaks kept inside the quotes, CRLF between rows. Written by hand rather than with
 * `@fast-csv/format`: that package only offers a streaming (asynchronous) API, its field formatter is not
 * exported, it deletes NUL characters (changing data), and it runs a regular expression on every cell. Here each
 * cell costs one `indexOf`, and a row is one join.
 */

/** A cell as a column produces it: text, a number or boolean from Graph, or nothing (an empty field). */
export type CsvCell = string | number | boolean | null | undefined;

export const CSV_LINE_END = '\r\n';
export const UTF8_BOM = '\ufeff';

const EQUALS = 61;
const PLUS = 43;
const MINUS = 45;
const AT = 64;
const TAB = 9;
const CR = 13;

/** True when a spreadsheet would treat text starting with this character as a formula (OWASP CSV injection). */
function startsLikeFormula(text: string): boolean {
  const first = text.charCodeAt(0);
  return first === EQUALS || first === PLUS || first === MINUS || first === AT || first === TAB || first === CR;
}

/**
 * A field's text between its quotes: embedded quotes doubled, and text that starts like a formula prefixed with `'`
 * when `neutralizeFormulas` is on. Numbers and booleans that came from Graph as JSON numbers/booleans are never
 * prefixed: a spreadsheet reads `-5` typed as a number as a number, not as a formula.
 */
function fieldText(cell: CsvCell, neutralizeFormulas: boolean): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = neutralizeFormulas && cell.length > 0 && startsLikeFormula(cell) ? `'${cell}` : cell;
  return text.indexOf('"') === -1 ? text : text.replaceAll('"', '""');
}

/** One quoted field. */
export function quoteCsvField(cell: CsvCell, neutralizeFormulas: boolean): string {
  return `"${fieldText(cell, neutralizeFormulas)}"`;
}

/** Reused by csvRow: rows are built one at a time, so one array serves every row. */
const fields: string[] = [];

/**
 * One CSV row including its CRLF line end. The fields are joined in one step, so the row is one flat string (text
 * built by `+=` over dozens of fields is a tree of pieces that has to be flattened again before it is written).
 */
export function csvRow(cells: readonly CsvCell[], neutralizeFormulas: boolean): string {
  fields.length = cells.length;
  for (let i = 0; i < cells.length; i++) fields[i] = fieldText(cells[i], neutralizeFormulas);
  return `"${fields.join('","')}"${CSV_LINE_END}`;
}
