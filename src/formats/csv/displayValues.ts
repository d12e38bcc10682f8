/**
 * Display words and value shapes the admin center shows in its CSV instead of Graph's raw values:
 * dates, the sign-in Status word, the Conditional Access word, the Location cell. See docs/formats.md.
 */
import { formatInstant, tryParseInstant } from '../../time/instant';
import type { CsvCell } from './csvField';
import { at, textAt } from './graphValue';

/**
 * Sign-in error codes the admin center counts as `Interrupted` rather than `Failure`: the user was asked for
 * something more (MFA, "stay signed in?", consent, device or password update) and the flow continued in a
 * later request. The first twenty are the list Microsoft's Sentinel sign-in workbook uses for its
 * "Interrupted" bucket; 50076 and 50079 (MFA required / MFA registration required) are the same kind of prompt.
 */
export const INTERRUPT_ERROR_CODES: ReadonlySet<number> = new Set([
  16000, 16001, 16003, 50055, 50058, 50059, 50072, 50074, 50076, 50079, 50125, 50127, 50129, 50140, 50143, 50144,
  51006, 52004, 65001, 81010, 81012, 81014,
]);

/**
 * ISO 8601 UTC with `T` and `Z`, with Graph's own precision (0 to 7 fraction digits) kept as returned.
 * A value with an offset instead of `Z` is converted to UTC; text that is not a timestamp is kept unchanged.
 */
export function dateCell(value: unknown): CsvCell {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.charCodeAt(value.length - 1) === 90 /* Z */) return value;
  const ticks = tryParseInstant(value);
  return ticks === undefined ? value : formatInstant(ticks);
}

/** `Success` for error code 0, `Interrupted` for the interrupt codes, `Failure` otherwise; empty without a status. */
export function signInStatusWord(record: unknown): CsvCell {
  const code = at(record, 'status', 'errorCode');
  const numeric = typeof code === 'number' ? code : typeof code === 'string' && code !== '' ? Number(code) : NaN;
  if (Number.isNaN(numeric)) return undefined;
  if (numeric === 0) return 'Success';
  return INTERRUPT_ERROR_CODES.has(numeric) ? 'Interrupted' : 'Failure';
}

const CONDITIONAL_ACCESS_WORDS: Readonly<Record<string, string>> = {
  success: 'Success',
  failure: 'Failure',
  notApplied: 'Not Applied',
};

/** The overall Conditional Access status word; the per-policy list exists only in the JSON formats. */
export function conditionalAccessWord(record: unknown): CsvCell {
  return wordFor(CONDITIONAL_ACCESS_WORDS, at(record, 'conditionalAccessStatus'));
}

/** `City, State, CC`; parts Graph leaves empty are skipped so no cell starts or ends with a comma. */
export function locationCell(record: unknown): CsvCell {
  const parts = [textAt(record, 'location', 'city'), textAt(record, 'location', 'state'), textAt(record, 'location', 'countryOrRegion')];
  const shown = parts.filter((part): part is string => part !== undefined && part !== '');
  return shown.length === 0 ? undefined : shown.join(', ');
}

/**
 * The display word for an enum value; values the table does not know (new members, `unknownFutureValue`)
 * are shown unchanged so no information is lost. Flags enums (comma-separated members) map each member.
 */
export function wordFor(words: Readonly<Record<string, string>>, value: unknown): CsvCell {
  if (typeof value !== 'string') return value === null || value === undefined ? undefined : String(value);
  if (value.indexOf(',') === -1) return Object.prototype.hasOwnProperty.call(words, value) ? words[value] : value;
  return value
    .split(',')
    .map((raw) => {
      const memberName = raw.trim();
      return Object.prototype.hasOwnProperty.call(words, memberName) ? words[memberName] : memberName;
    })
    .join(', ');
}
