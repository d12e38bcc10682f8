/**
 * Instants as callers write them: ISO 8601 with a zone (`2026-11-27T10:00:00Z`, `…+01:00`, up to 7 fraction digits)
 * or a date (`2026-11-27`, midnight UTC). Impossible dates and times (`2026-02-30`, `T25:00:00Z`, `+25:00`) are
 * refused rather than rolled over.
 */
import { parseInstant, Ticks } from '../time/instant';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

export const INSTANT_HINT = 'must be an ISO 8601 UTC time such as 2026-11-27T10:00:00Z or a date such as 2026-11-27';

/** The instant, or undefined when the text is not a valid one. */
export function parseApiInstant(text: string): Ticks | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z', zh = '00', zm = '00'] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(zh) > 14 || Number(zm) > 59) return undefined;
  return parseInstant(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${zone}`);
}
