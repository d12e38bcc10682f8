/**
 * Turns a request's query options into a listing plan: which streams, which time bounds (for slice
 * pruning), an optional record predicate, order and page size. Everything Graph would reject becomes
 * a GraphError with Graph's code and message.
 */
import type { StreamId } from '../../src/streams/catalog';
import { parseInstant, TICKS_PER_MS, type Ticks } from '../../src/time/instant';
import { lambdaRules, propertyRule, TIME_PROPERTY, type PropertyRule } from './filterRules';
import { GraphError, invalidFilter, queryOptionNotAllowed } from './graphError';
import { FilterSyntaxError, parseFilter, type FilterNode, type Literal } from './odataFilter';
import type { EndpointName } from './options';
import type { ApiVersion } from './records/context';

export type RecordPredicate = (record: Record<string, unknown>) => boolean;

export interface ListingPlan {
  endpoint: EndpointName;
  version: ApiVersion;
  streams: StreamId[];
  /** Inclusive tick bounds; undefined means open. */
  lo?: Ticks;
  hi?: Ticks;
  predicate?: RecordPredicate;
  order: 'asc' | 'desc';
  top: number;
  filter: string;
  orderby: string;
  select: string[];
}

export interface QueryOptions {
  filter: string;
  orderby: string;
  top: number;
  select: string;
}

const EVENT_TYPE_STREAMS: Array<[string, StreamId]> = [
  ['interactiveUser', 'interactiveSignIns'],
  ['nonInteractiveUser', 'nonInteractiveSignIns'],
  ['servicePrincipal', 'servicePrincipalSignIns'],
  ['managedIdentity', 'managedIdentitySignIns'],
];

const DEFAULT_STREAMS: Record<EndpointName, StreamId[]> = {
  directoryAudits: ['audit'],
  signIns: ['interactiveSignIns'],
  provisioning: ['provisioning'],
};

const ALLOWED_OPTIONS: Record<EndpointName, Set<string>> = {
  signIns: new Set(['$filter', '$top', '$orderby', '$skiptoken']),
  directoryAudits: new Set(['$filter', '$top', '$orderby', '$skiptoken', '$select']),
  provisioning: new Set(['$filter', '$top', '$orderby', '$skiptoken', '$select']),
};

/** Rejects query options the endpoint does not allow, with Graph's wording. */
export function checkQueryOptions(endpoint: EndpointName, params: URLSearchParams): void {
  for (const name of params.keys()) {
    if (!name.startsWith('$')) continue;
    if (!ALLOWED_OPTIONS[endpoint].has(name.toLowerCase())) {
      const option = name.slice(1);
      throw queryOptionNotAllowed(option.charAt(0).toUpperCase() + option.slice(1).toLowerCase());
    }
  }
}

export function parseTop(raw: string | null): number {
  if (raw === null || raw === '') return 1000;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new GraphError(400, 'BadRequest', `Invalid value '${raw}' for $top query option found.`);
  return Math.min(1000, Number(raw));
}

function parseOrder(endpoint: EndpointName, orderby: string): 'asc' | 'desc' {
  if (!orderby) return 'desc';
  const m = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(orderby);
  if (!m || m[1] !== TIME_PROPERTY[endpoint]) throw new GraphError(400, 'BadRequest', 'Invalid $orderby clause');
  return (m[2] ?? 'asc').toLowerCase() === 'desc' ? 'desc' : 'asc';
}

function topConjuncts(node: FilterNode): FilterNode[] {
  return node.type === 'and' ? [...topConjuncts(node.left), ...topConjuncts(node.right)] : [node];
}

function literalTicks(literal: Literal): Ticks {
  if (literal.kind !== 'datetime') throw invalidFilter();
  try {
    return parseInstant(literal.value);
  } catch {
    throw invalidFilter();
  }
}

function eventTypeStreams(body: FilterNode, variable: string): StreamId[] {
  const matches = (node: FilterNode, value: string): boolean => {
    switch (node.type) {
      case 'and':
        return matches(node.left, value) && matches(node.right, value);
      case 'or':
        return matches(node.left, value) || matches(node.right, value);
      case 'not':
        return !matches(node.operand, value);
      case 'compare':
        if (node.path !== variable || node.literal.kind !== 'string' || (node.op !== 'eq' && node.op !== 'ne')) throw invalidFilter();
        return node.op === 'eq' ? node.literal.value === value : node.literal.value !== value;
      default:
        throw invalidFilter();
    }
  };
  return EVENT_TYPE_STREAMS.filter(([value]) => matches(body, value)).map(([, stream]) => stream);
}

function valueAt(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('/')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function compileNode(node: FilterNode, endpoint: EndpointName, version: ApiVersion): RecordPredicate {
  const caseSensitive = endpoint === 'provisioning';
  const norm = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  switch (node.type) {
    case 'and': {
      const l = compileNode(node.left, endpoint, version);
      const r = compileNode(node.right, endpoint, version);
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const l = compileNode(node.left, endpoint, version);
      const r = compileNode(node.right, endpoint, version);
      return (rec) => l(rec) || r(rec);
    }
    case 'not': {
      const inner = compileNode(node.operand, endpoint, version);
      return (rec) => !inner(rec);
    }
    case 'any':
      return compileLambda(node, endpoint);
    case 'function': {
      const rule = ruleFor(endpoint, version, node.path, node.name);
      if (rule.kind !== 'string' || node.literal.kind !== 'string') throw invalidFilter();
      const needle = norm(node.literal.value);
      const test = node.name === 'startswith' ? (s: string) => s.startsWith(needle) : (s: string) => s.includes(needle);
      return (rec) => {
        const value = valueAt(rec, node.path);
        return typeof value === 'string' && test(norm(value));
      };
    }
    case 'compare': {
      const rule = ruleFor(endpoint, version, node.path, node.op);
      if (rule.kind === 'time') {
        const bound = literalTicks(node.literal);
        return (rec) => {
          const value = valueAt(rec, node.path);
          if (typeof value !== 'string') return false;
          return compareValues(parseInstant(value), bound, node.op);
        };
      }
      if (rule.kind === 'number') {
        if (node.literal.kind !== 'number') throw invalidFilter();
        const bound = node.literal.value;
        return (rec) => {
          const value = valueAt(rec, node.path);
          return typeof value === 'number' && compareValues(value, bound, node.op);
        };
      }
      if (node.literal.kind === 'null') return (rec) => (valueAt(rec, node.path) ?? null) === null === (node.op === 'eq');
      if (node.literal.kind !== 'string') throw invalidFilter();
      const expected = norm(node.literal.value);
      return (rec) => {
        const value = valueAt(rec, node.path);
        const equal = typeof value === 'string' && norm(value) === expected;
        return node.op === 'eq' ? equal : !equal;
      };
    }
  }
}

/**
 * `collection/any(v: …)` over an element-level predicate: element properties are written `v/name`, compared ignoring
 * case like every string on this endpoint; an element path outside the lambda rules is an invalid filter.
 */
function compileLambda(node: Extract<FilterNode, { type: 'any' }>, endpoint: EndpointName): RecordPredicate {
  const rules = lambdaRules(endpoint, node.path);
  if (!rules) throw invalidFilter();
  const element = compileElement(node.body, node.variable, rules);
  return (rec) => {
    const items = valueAt(rec, node.path);
    return Array.isArray(items) && items.some((item) => typeof item === 'object' && item !== null && element(item as Record<string, unknown>));
  };
}

function compileElement(node: FilterNode, variable: string, rules: Record<string, PropertyRule>): RecordPredicate {
  switch (node.type) {
    case 'and':
    case 'or': {
      const l = compileElement(node.left, variable, rules);
      const r = compileElement(node.right, variable, rules);
      return node.type === 'and' ? (item) => l(item) && r(item) : (item) => l(item) || r(item);
    }
    case 'not': {
      const inner = compileElement(node.operand, variable, rules);
      return (item) => !inner(item);
    }
    case 'compare':
    case 'function': {
      const op = node.type === 'compare' ? node.op : node.name;
      const prefix = `${variable}/`;
      const rule = node.path.startsWith(prefix) ? rules[node.path.slice(prefix.length)] : undefined;
      if (!rule || !rule.ops.has(op as never) || node.literal.kind !== 'string') throw invalidFilter();
      const property = node.path.slice(prefix.length);
      const needle = node.literal.value.toLowerCase();
      return (item) => {
        const value = item[property];
        if (typeof value !== 'string') return op === 'ne';
        const text = value.toLowerCase();
        if (op === 'startswith') return text.startsWith(needle);
        return op === 'eq' ? text === needle : text !== needle;
      };
    }
    default:
      throw invalidFilter();
  }
}

function compareValues<T extends number | bigint>(a: T, b: T, op: string): boolean {
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'ge': return a >= b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    default: return a < b;
  }
}

function ruleFor(endpoint: EndpointName, version: ApiVersion, path: string, op: string): PropertyRule {
  const rule = propertyRule(endpoint, version, path);
  if (!rule || !rule.ops.has(op as never)) throw invalidFilter();
  return rule;
}

export interface PlanContext {
  nowMs: number;
  retentionDays: number;
}

export function buildPlan(endpoint: EndpointName, version: ApiVersion, query: QueryOptions, ctx: PlanContext): ListingPlan {
  const plan: ListingPlan = {
    endpoint,
    version,
    streams: DEFAULT_STREAMS[endpoint],
    order: parseOrder(endpoint, query.orderby),
    top: query.top,
    filter: query.filter,
    orderby: query.orderby,
    select: query.select ? query.select.split(',').map((s) => s.trim()).filter(Boolean) : [],
  };
  if (!query.filter.trim()) return plan;
  let root: FilterNode;
  try {
    root = parseFilter(query.filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw invalidFilter();
    throw error;
  }
  const timeProperty = TIME_PROPERTY[endpoint];
  const residual: RecordPredicate[] = [];
  for (const node of topConjuncts(root)) {
    if (node.type === 'any' && node.path === 'signInEventTypes') {
      if (endpoint !== 'signIns' || version !== 'beta') throw invalidFilter();
      plan.streams = eventTypeStreams(node.body, node.variable);
      continue;
    }
    if (node.type === 'compare' && node.path === timeProperty) {
      ruleFor(endpoint, version, node.path, node.op);
      const ticks = literalTicks(node.literal);
      const lo = node.op === 'ge' || node.op === 'eq' ? ticks : node.op === 'gt' ? ticks + 1n : undefined;
      const hi = node.op === 'le' || node.op === 'eq' ? ticks : node.op === 'lt' ? ticks - 1n : undefined;
      if (lo !== undefined && (plan.lo === undefined || lo > plan.lo)) plan.lo = lo;
      if (hi !== undefined && (plan.hi === undefined || hi < plan.hi)) plan.hi = hi;
      continue;
    }
    residual.push(compileNode(node, endpoint, version));
  }
  const oldest = BigInt(ctx.nowMs - ctx.retentionDays * 86_400_000) * TICKS_PER_MS;
  if (plan.lo !== undefined && plan.lo < oldest) throw invalidFilter();
  if (residual.length === 1) plan.predicate = residual[0];
  else if (residual.length > 1) plan.predicate = (rec) => residual.every((p) => p(rec));
  return plan;
}
