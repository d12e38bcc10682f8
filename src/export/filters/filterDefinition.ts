/**
 * The shape of one export filter: which values it takes, the Graph `$filter` term that selects them where Graph can,
 * and the record test applied while writing. Each stream family lists its filters in one table
 * (signInFilters.ts, auditFilters.ts, provisioningFilters.ts).
 */
import { odataString } from '../../graph/odata';
import type { MatchValue } from './matchValue';

/** Every filter name the product knows; which ones a stream takes is in its table. */
export const FILTER_NAMES = [
  'user',
  'application',
  'status',
  'ipAddress',
  'correlationId',
  'category',
  'activity',
  'service',
  'initiatedBy',
  'target',
  'identity',
  'action',
] as const;

export type FilterName = (typeof FILTER_NAMES)[number];

/** Filters as a caller gives them: name → value (`*` at the end for "starts with"). */
export type ExportFilters = Partial<Record<FilterName, string>>;

export type GraphRecordLike = Record<string, unknown>;

export interface FilterDefinition {
  /** What the filter matches, in words (error messages and docs). */
  matches: string;
  /** Whether a trailing `*` ("starts with") is accepted. */
  allowPrefix: boolean;
  /** For filters with a closed set of values: the values, in Graph's spelling (input is matched ignoring case). */
  values?: readonly string[];
  /** Further check of a value; returns why it is refused. */
  check?: (value: MatchValue) => string | undefined;
  /** The Graph `$filter` term that selects the value, or undefined where Graph cannot (then only `test` applies). */
  graph(value: MatchValue): string | undefined;
  /** Whether a record matches; applied to every record written, whether or not Graph already selected it. */
  test(record: GraphRecordLike, value: MatchValue): boolean;
}

export type FilterTable = Partial<Record<FilterName, FilterDefinition>>;

/** `property eq 'value'` or `startswith(property, 'value')`, the value quoted and escaped. */
export function eqOrStartsWith(property: string, value: MatchValue): string {
  return value.prefix ? `startswith(${property}, ${odataString(value.text)})` : `${property} eq ${odataString(value.text)}`;
}

/** `property eq 'value'`; undefined for a prefix (Graph offers only equality on the property). */
export function eqOnly(property: string, value: MatchValue): string | undefined {
  return value.prefix ? undefined : `${property} eq ${odataString(value.text)}`;
}

export const IP_CHARACTERS = /^[0-9A-Fa-f:.]+$/;

export function checkIpAddress(value: MatchValue): string | undefined {
  return IP_CHARACTERS.test(value.text) ? undefined : 'must be an IPv4 or IPv6 address (or its start followed by *), such as 203.0.113.7 or 2001:db8:*';
}

export function checkGuid(value: MatchValue): string | undefined {
  return value.guid ? undefined : 'must be a GUID such as 5f4c2b1a-0d3e-4f6a-8b9c-1d2e3f4a5b6c';
}
