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
