/** Portal-style download names (`AuditLogs_2026-11-27_2026-11-28.csv`) and sanitising of caller-supplied names. */
import { formatInstant, TICKS_PER_MINUTE, type Ticks } from '../time/instant';
import type { FileEncoder } from './types';

const TICKS_PER_DAY = 24n * 60n * TICKS_PER_MINUTE;

/** Longest name returned by `sanitizeFileName`, in characters (well under the 255-byte limit of file systems). */
export const MAX_FILE_NAME_LENGTH = 180;

function windowEdge(ticks: Ticks, wholeDays: boolean): string {
  const iso = formatInstant(ticks, 7); // YYYY-MM-DDTHH:MM:SS.fffffffZ
  if (wholeDays) return iso.slice(0, 10);
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${seconds === '00' ? '' : seconds}Z`;
}

/**
 * The name a browser saves the file under. Windows of whole UTC days use dates, the end being the exclusive
 * end date (`AuditLogs_2026-11-27_2026-11-28.csv` is the 27th); other windows add the UTC time
 * (`AuditLogs_2026-11-27T1000Z_2026-11-27T1100Z.csv`, seconds only when not zero). Side files carry their
 * own prefix (`InteractiveSignIns_AuthDetails_…`).
 */
export function downloadFileName(encoder: FileEncoder, gzip: boolean, window: { start: Ticks; end: Ticks }): string {
  const wholeDays = window.start % TICKS_PER_DAY === 0n && window.end % TICKS_PER_DAY === 0n;
  const name = `${encoder.portalPrefix}_${windowEdge(window.start, wholeDays)}_${windowEdge(window.end, wholeDays)}`;
  return sanitizeFileName(`${name}.${encoder.extension}${gzip ? '.gz' : ''}`);
}

/** Control characters (C0, DEL, C1) and bidirectional overrides that could disguise an extension. */
function isUnsafeCodePoint(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

const REMOVED_CHARACTERS = new Set(['/', '\\', '"', "'", '`', '<', '>', ':', '|', '?', '*']);

/**
 * A name safe for a `Content-Disposition` header and any file system: path separators, quotes, characters
 * Windows forbids, control and bidi-override characters removed; leading dots and surrounding spaces
 * trimmed; at most `MAX_FILE_NAME_LENGTH` characters, cutting the stem so the extension (`.csv.gz`) stays.
 * Returns `export` (plus the extension) when nothing usable is left.
 */
export function sanitizeFileName(name: string): string {
  let cleaned = '';
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (isUnsafeCodePoint(code) || REMOVED_CHARACTERS.has(ch)) continue;
    cleaned += ch;
  }
  cleaned = cleaned.replace(/\s+/g, ' ').trim();
  const extensionMatch = /(\.[A-Za-z0-9]{1,10}){1,2}$/.exec(cleaned);
  const extension = extensionMatch ? extensionMatch[0] : '';
  let stem = cleaned.slice(0, cleaned.length - extension.length).replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (stem === '') stem = 'export';
  const stemChars = Array.from(stem);
  const room = Math.max(1, MAX_FILE_NAME_LENGTH - extension.length);
  if (stemChars.length > room) stem = stemChars.slice(0, room).join('').trimEnd();
  return stem + extension;
}
