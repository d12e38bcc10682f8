/**
 * OData query text for the reporting endpoints. Everything a caller supplies reaches Graph only through these
 * functions, so string literals are always quoted and escaped and the URL is always encoded.
 */
import type { StreamDefinition } from '../streams/catalog';
import { formatInstant, TICKS_PER_SECOND, type Ticks } from '../time/instant';

/** C0 controls and DEL: no Entra value contains them, and they only serve to smuggle odd bytes into a filter. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
/** A UTF-16 surrogate without its partner cannot be percent-encoded (encodeURIComponent throws). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An OData string literal: single-quoted, with each `'` doubled (`O'Brien` gives `'O''Brien'`). Throws a RangeError
 * for control characters and unpaired surrogates rather than guess what the caller meant.
 */
export function odataString(value: string): string {
  if (hasControlCharacter(value)) throw new RangeError(`OData string contains a control character: ${JSON.stringify(value)}`);
  if (LONE_SURROGATE.test(value)) throw new RangeError('OData string contains an unpaired UTF-16 surrogate');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * An OData DateTimeOffset literal: `2026-11-27T10:00:00Z` on a whole second, else with all 7 fraction digits
 * (`2026-11-27T10:00:00.1234567Z`), so a 100 ns cursor survives the round trip to Graph exactly.
 */
export function odataInstant(ticks: Ticks): string {
  return formatInstant(ticks, 'auto');
}

export interface ListQuery {
  stream: StreamDefinition;
  /** Window start (inclusive for the worker). */
  start: Ticks;
  /**
   * Window end (exclusive for the worker; the filter includes it, see buildListFilter), or a resume cursor (the
   * oldest instant written, re-read inclusively). `end == start` is the closed range of one instant: a resume whose
   * cursor reached the window start.
   */
  end: Ticks;
  pageSize: number;
  /** A validated OData boolean expression from an ad-hoc export; ANDed in parentheses. */
  extraFilter?: string;
}

/**
 * The `$filter` text for one window of one stream, or for the part of it a resume re-reads (`[start, cursor]`, which
 * may be the single instant `[start, start]`).
 * - `ge-le` streams (audit, sign-ins): `<time> ge <start> and <time> le <end>`. The end is inclusive because Graph
 *   offers nothing else; the worker drops records at exactly the window end, which belong to the next window.
 * - `gt-lt` (provisioning, which supports only exclusive bounds): widened by one second at each end,
 *   `<time> gt <start - 1 s> and <time> lt <end + 1 s>`, so no record falls between two windows; the worker keeps
 *   exactly `[start, end)`.
 * Sign-in streams add `signInEventTypes/any(t: t eq '<type>')`: without it beta returns interactive sign-ins only.
 */
export function buildListFilter(query: ListQuery): string {
  const { stream, start, end } = query;
  if (end < start) throw new RangeError(`Range end ${odataInstant(end)} is before its start ${odataInstant(start)}`);
  const time = stream.timeProperty;
  const clauses =
    stream.timeOperators === 'ge-le'
      ? [`${time} ge ${odataInstant(start)}`, `${time} le ${odataInstant(end)}`]
      : [`${time} gt ${odataInstant(start - TICKS_PER_SECOND)}`, `${time} lt ${odataInstant(end + TICKS_PER_SECOND)}`];
  if (stream.signInEventType) clauses.push(`signInEventTypes/any(t: t eq ${odataString(stream.signInEventType)})`);
  const extra = query.extraFilter?.trim();
  if (extra) clauses.push(`(${extra})`);
  return clauses.join(' and ');
}

/**
 * The first-page URL for one window: `<baseUrl>/<version><path>?$filter=…&$orderby=<time> desc&$top=<pageSize>`.
 * Newest first is what the worker's cursor relies on (everything in `[cursor, end)` is written), so it is asked for
 * explicitly even where it is Graph's default. `$top` is sent everywhere because provisioning only issues skip
 * tokens when it is present. Query values are percent-encoded; the `$` of the option names is left as Graph's docs
 * write it.
 */
export function buildListUrl(baseUrl: string, query: ListQuery): string {
  if (!Number.isInteger(query.pageSize) || query.pageSize < 1) throw new RangeError(`Page size must be a positive integer, got ${query.pageSize}`);
  const { stream } = query;
  const params: [string, string][] = [
    ['$filter', buildListFilter(query)],
    ['$orderby', `${stream.timeProperty} desc`],
    ['$top', String(query.pageSize)],
  ];
  const search = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `${baseUrl.replace(/\/+$/, '')}/${stream.graphVersion}${stream.graphPath}?${search}`;
}
