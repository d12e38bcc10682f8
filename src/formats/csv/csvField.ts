/**
 * The exact lexical form of the admin center's CSV: every field in double quotes, embedded quotes doubled,
 * embedded line breaks kept inside the quotes, CRLF between rows. Written by hand rather than with
 * `@fast-csv/format`: that package only offers a streaming (asynchronous) API, its field formatter is not
 * exported, it deletes NUL characters (changing data), and it runs a regular expression on every cell. This
 * function does one `indexOf` per cell and allocates only the quoted string.
 */

/** A cell as a column produces it: text, a number or boolean from Graph, or nothing (an empty field). */
export type CsvCell = string | number | boolean | null | undefined;

export const CSV_LINE_END = '\r\n';
export const UTF8_BOM = '\ufeff';

const QUOTE = 34; // "
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
 * One quoted field. Text that starts like a formula gets a leading `'` when `neutralizeFormulas` is on.
 * Numbers and booleans that came from Graph as JSON numbers/booleans are never prefixed: a spreadsheet reads
 * `-5` typed as a number as a number, not as a formula.
 */
export function quoteCsvField(cell: CsvCell, neutralizeFormulas: boolean): string {
  if (cell === null || cell === undefined) return '""';
  if (typeof cell !== 'string') return `"${String(cell)}"`;
  let text = cell;
  if (neutralizeFormulas && text.length > 0 && startsLikeFormula(text)) text = `'${text}`;
  if (text.indexOf('"') === -1) return `"${text}"`;
  let out = '"';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === QUOTE) {
      out += text.slice(from, i + 1) + '"';
      from = i + 1;
    }
  }
  return `${out}${text.slice(from)}"`;
}

/** One CSV row including its CRLF line end. */
export function csvRow(cells: readonly CsvCell[], neutralizeFormulas: boolean): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += quoteCsvField(cells[i], neutralizeFormulas);
  }
  return line + CSV_LINE_END;
}
