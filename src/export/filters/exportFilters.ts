/**
 * Export filters, the admin center's filters for on-demand exports (HTTP API and command line): validated per
 * stream, split into the part Graph can select (`$filter` terms, fewer pages) and a record test applied to every
 * record while writing. The test re-checks the Graph part too, so no record that does not match is written whatever
 * Graph's own comparison; a term is sent to Graph only where its operator selects at least what the filter matches,
 * so no matching record is missed. Values are matched ignoring case; `*` at the end means
 * "starts with". docs/http-api.md lists every filter with its Graph property and semantics.
 */
import type { StreamId } from '../../streams/catalog';
import { AUDIT_FILTERS } from './auditFilters';
import { ExportFilters, FILTER_NAMES, FilterDefinition, FilterName, FilterTable, GraphRecordLike } from './filterDefinition';
import { FilterValueError, fold, MatchValue, parseMatchValue } from './matchValue';
import { PROVISIONING_FILTERS } from './provisioningFilters';
import { SIGN_IN_FILTERS } from './signInFilters';

/** A filter a caller gave is unknown, not offered for the stream, or has a bad value. */
export class FilterError extends Error {
  constructor(
    /** The filter's name as the caller wrote it (at most 50 characters). */
    readonly filter: string,
    message: string,
    /** `unknown`: no such filter for the stream; `invalid`: a bad value (or filters that are not an object). */
    readonly reason: 'unknown' | 'invalid' = 'invalid',
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

export interface CompiledExportFilter {
  /** The filters, normalised (trimmed; closed-set values in Graph's spelling). */
  filters: ExportFilters;
  /** The Graph `$filter` terms joined with `and`; undefined when Graph can select none of the filters. */
  graphFilter?: string;
  /** Filters Graph selects (and that are re-checked while writing). */
  sentToGraph: FilterName[];
  /** Filters only applied while writing. */
  appliedWhileWriting: FilterName[];
  /** Whether a record matches every filter. */
  matches(record: GraphRecordLike): boolean;
}

/** The filters one stream takes, in the order docs and forms list them. */
export function filterTable(stream: StreamId): FilterTable {
  if (stream === 'audit') return AUDIT_FILTERS;
  if (stream === 'provisioning') return PROVISIONING_FILTERS;
  return SIGN_IN_FILTERS[stream] ?? {};
}

export function filterNames(stream: StreamId): FilterName[] {
  const table = filterTable(stream);
  return FILTER_NAMES.filter((name) => table[name] !== undefined);
}

/** Validates a caller's filters for `stream` (an object of name → string; null or undefined means none). */
export function parseExportFilters(stream: StreamId, raw: unknown): ExportFilters {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new FilterError('filters', 'must be an object of filter name to value, such as {"user": "ana@contoso.com"}');
  const table = filterTable(stream);
  const out: ExportFilters = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const shown = name.slice(0, 50);
    const definition = (FILTER_NAMES as readonly string[]).includes(name) ? table[name as FilterName] : undefined;
    if (!definition) {
      const known = (FILTER_NAMES as readonly string[]).includes(name);
      throw new FilterError(shown, `${known ? `is not a filter of ${stream}` : 'is not a filter'}; the filters of ${stream} are: ${filterNames(stream).join(', ')}`, 'unknown');
    }
    out[name as FilterName] = normalise(name as FilterName, definition, value);
  }
  return out;
}

/** Compiles validated filters (from parseExportFilters, or a stored job) into the Graph part and the record test. */
export function compileExportFilters(stream: StreamId, filters: ExportFilters): CompiledExportFilter {
  const table = filterTable(stream);
  const normalised = parseExportFilters(stream, filters);
  const terms: string[] = [];
  const sentToGraph: FilterName[] = [];
  const appliedWhileWriting: FilterName[] = [];
  const tests: Array<(record: GraphRecordLike) => boolean> = [];
  for (const name of FILTER_NAMES) {
    const raw = normalised[name];
    const definition = table[name];
    if (raw === undefined || !definition) continue;
    const value = matchValue(definition, raw);
    const term = definition.graph(value);
    if (term) {
      terms.push(term);
      sentToGraph.push(name);
    } else {
      appliedWhileWriting.push(name);
    }
    tests.push((record) => definition.test(record, value));
  }
  return {
    filters: normalised,
    graphFilter: terms.length > 0 ? terms.join(' and ') : undefined,
    sentToGraph,
    appliedWhileWriting,
    matches: (record) => tests.every((test) => test(record)),
  };
}

function normalise(name: FilterName, definition: FilterDefinition, raw: unknown): string {
  try {
    const value = matchValue(definition, raw);
    return definition.values ? value.text : `${value.text}${value.prefix ? '*' : ''}`;
  } catch (error) {
    if (error instanceof FilterValueError) throw new FilterError(name, `${error.message} (${definition.matches})`);
    throw error;
  }
}

function matchValue(definition: FilterDefinition, raw: unknown): MatchValue {
  const value = parseMatchValue(raw, definition.allowPrefix);
  if (definition.values) {
    const canonical = definition.values.find((v) => fold(v) === value.folded);
    if (!canonical) throw new FilterValueError(`must be one of ${definition.values.join(', ')}`);
    return { ...value, text: canonical, folded: fold(canonical) };
  }
  const problem = definition.check?.(value);
  if (problem) throw new FilterValueError(problem);
  return value;
}
