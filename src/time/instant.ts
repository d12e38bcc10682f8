/**
 * Instants with Graph's 100-nanosecond precision (`2020-03-13T19:15:41.6195833Z`), as bigint ticks since the
 * Unix epoch. JavaScript Dates keep only milliseconds, which would blur window edges and continuation cursors,
 * so every comparison of record times goes through these functions. All instants are UTC.
 */

/** 100-ns ticks since 1970-01-01T00:00:00Z. */
export type Ticks = bigint;

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 60n * TICKS_PER_SECOND;

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 timestamp with an explicit zone; fractions beyond 7 digits are truncated. Strict: every field
 * must be in range for its calendar (no `2026-02-30`, `T24:00`, `:60` seconds or `+25:00` rolled over), which is
 * checked by turning the parsed instant back into its fields.
 */
export function parseInstant(text: string): Ticks {
  const canonical = parseCanonical(text);
  if (canonical !== undefined) return canonical;
  const m = ISO.exec(text.trim());
  if (!m) throw new RangeError(`Not an ISO 8601 UTC timestamp: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(fields[0], fields[1] - 1, fields[2]); // setUTCFullYear keeps years 0-99 as they are
  date.setUTCHours(fields[3], fields[4], fields[5], 0);
  const roundTrip = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (Number.isNaN(date.getTime()) || roundTrip.some((value, i) => value !== fields[i])) {
    throw new RangeError(`Not a valid date and time: ${JSON.stringify(text)}`);
  }
  let ticks = BigInt(date.getTime()) * TICKS_PER_MS + BigInt((frac + '0000000').slice(0, 7));
  if (zone !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMinutes = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMinutes > 59) throw new RangeError(`Not a valid UTC offset: ${JSON.stringify(text)}`);
    const sign = zone.startsWith('-') ? -1n : 1n;
    ticks -= sign * BigInt(offsetHours * 60 + offsetMinutes) * TICKS_PER_MINUTE;
  }
  return ticks;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const FRACTION_SCALE = [0, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

/** The number written by `length` ASCII digits at `from`, or -1 if any is not a digit. */
function digitsAt(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Graph's own form, `YYYY-MM-DDTHH:MM:SS[.f…]Z` (1 to 9 fraction digits), read without a regular expression or a Date
 * object: the record sieve reads every record's time. Undefined for anything else, including out-of-range fields,
 * which parseInstant's general path then reads or refuses exactly as before.
 */
function parseCanonical(text: string): Ticks | undefined {
  const n = text.length;
  if (n < 20 || n > 30 || n === 21 || text.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  // Years before 100 take the general path (Date.UTC reads 0-99 as 1900-1999).
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return undefined;
  let fraction = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 /* . */) return undefined;
    const kept = Math.min(n - 21, 7);
    fraction = digitsAt(text, 20, kept);
    // Digits beyond the seventh are truncated, but must still be digits.
    if (fraction < 0 || (n - 21 > 7 && digitsAt(text, 27, n - 28) < 0)) return undefined;
    fraction *= FRACTION_SCALE[kept];
  }
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  return BigInt(seconds) * TICKS_PER_SECOND + BigInt(fraction);
}

/** Tolerant variant for values from Graph: undefined when the value is not a timestamp string. */
export function tryParseInstant(value: unknown): Ticks | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseInstant(value);
  } catch {
    return undefined;
  }
}

/**
 * Formats ticks as `YYYY-MM-DDTHH:MM:SS[.fffffff]Z`. `fraction: 'auto'` writes 7 digits only when the
 * instant is not a whole second (what OData filters and file names want); `7` always writes them.
 */
export function formatInstant(ticks: Ticks, fraction: 'auto' | 7 = 'auto'): string {
  const ms = ticks / TICKS_PER_MS - (ticks < 0n && ticks % TICKS_PER_MS !== 0n ? 1n : 0n);
  const sub = ticks - ms * TICKS_PER_MS;
  const base = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const digits = base.slice(20, 23) + sub.toString().padStart(4, '0');
  if (fraction === 'auto' && /^0+$/.test(digits)) return `${base.slice(0, 19)}Z`;
  return `${base.slice(0, 19)}.${digits}Z`;
}

export function instantFromDate(date: Date): Ticks {
  return BigInt(date.getTime()) * TICKS_PER_MS;
}

export function instantFromMs(ms: number): Ticks {
  return BigInt(Math.floor(ms)) * TICKS_PER_MS + BigInt(Math.round((ms - Math.floor(ms)) * 10_000));
}

/** Milliseconds (rounded down) for Date arithmetic and scheduling. */
export function msFromInstant(ticks: Ticks): number {
  return Number(ticks / TICKS_PER_MS);
}

export function dateFromInstant(ticks: Ticks): Date {
  return new Date(msFromInstant(ticks));
}

/** `20261127T1000Z`: compact minute form used in job ids and blob names. */
export function compactMinute(ticks: Ticks): string {
  const iso = formatInstant(ticks, 7);
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}
