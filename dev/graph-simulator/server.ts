/**
 * The HTTP front: routes Graph paths and `/_sim/*`, applies auth, throttling, tenant modes, query
 * validation and faults in Graph's order, then serves a page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate } from 'node:timers/promises';
import { isStreamId } from '../../src/streams/catalog';
import { parseInstant } from '../../src/time/instant';
import { authenticate } from './auth';
import { FaultInjector } from './faults';
import { GraphError, errorBody, newRequestIds, type RequestIds } from './graphError';
import { groundTruthIds, visibleRecords, type GroundTruthQuery } from './groundTruth';
import type { EndpointName, ResolvedOptions } from './options';
import { readPage, startPosition, type PagePosition, type PagerContext } from './pager';
import { buildPlan, checkQueryOptions, parseTop, type ListingPlan } from './queryPlan';
import type { RecordFactory } from './records';
import type { ApiVersion } from './records/context';
import { decodeSkipToken, encodeSkipToken } from './skipToken';
import { bump, emptyStats, type SimulatorStats } from './stats';
import type { ArrivalCounter } from './arrivals';
import type { LoopWatch } from './loopWatch';
import { SlidingWindowThrottle } from './throttle';
import type { Timeline } from './timeline';

const GRAPH_PATH = /^\/(v1\.0|beta)\/auditLogs\/(directoryAudits|signIns|provisioning)\/?$/;
const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export interface SimulatorState {
  options: ResolvedOptions;
  timeline: Timeline;
  factory: RecordFactory;
  throttle: SlidingWindowThrottle;
  arrivals: ArrivalCounter;
  faults: FaultInjector;
  stats: SimulatorStats;
  /** How late the event loop ran (a request waiting in its socket is counted only when the loop gets to it). */
  loopWatch: LoopWatch;
  earliestTicks: bigint;
  baseUrl: () => string;
}

export function resetStats(state: SimulatorState): void {
  state.stats = emptyStats();
  state.arrivals.reset();
  state.loopWatch.reset();
}

/** The counters with the event loop's longest hold-up since the last reset. */
export function currentStats(state: SimulatorState): SimulatorStats {
  state.stats.eventLoopHeldMs = Math.round(state.loopWatch.longestMs);
  return state.stats;
}

/** Records serialised per turn of the event loop. */
const BODY_RECORDS_PER_TURN = 200;

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function send(res: ServerResponse, status: number, body: string, ids: RequestIds, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
    ...headers,
  });
  res.end(body);
}

function sendError(state: SimulatorState, res: ServerResponse, error: GraphError, ids: RequestIds): void {
  bump(state.stats.errorsByStatus, String(error.status));
  send(res, error.status, errorBody(error, ids, state.options.now()), ids, error.headers);
}

export async function handleRequest(state: SimulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const header = req.headers['client-request-id'];
  const ids = newRequestIds(typeof header === 'string' ? header : undefined);
  try {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (url.pathname.startsWith('/_sim/')) return handleSimRoute(state, req, res, url, ids);
    const match = GRAPH_PATH.exec(url.pathname);
    if (!match) throw new GraphError(404, 'NotFound', `Resource not found for the segment '${url.pathname.split('/').filter(Boolean).pop() ?? ''}'.`);
    if (req.method !== 'GET') throw new GraphError(405, 'Request_BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`);
    await handleListing(state, req, res, url, match[1] as ApiVersion, match[2] as EndpointName, ids);
  } catch (error) {
    if (error instanceof GraphError) return sendError(state, res, error, ids);
    const message = error instanceof Error ? error.message : String(error);
    sendError(state, res, new GraphError(500, 'InternalServerError', `Simulator failure: ${message}`), ids);
  }
}

function planFromRequest(state: SimulatorState, url: URL, version: ApiVersion, endpoint: EndpointName): { plan: ListingPlan; position?: PagePosition; hadToken: boolean } {
  const params = url.searchParams;
  const token = params.get('$skiptoken');
  const planContext = { nowMs: state.options.now(), retentionDays: state.options.tenant.retentionDays };
  if (token !== null) {
    const payload = decodeSkipToken(token, state.options.seed, (state.options.skipTokenTtlSeconds * 1000) / state.options.timeScale, Date.now());
    if (payload.endpoint !== endpoint || payload.version !== version) throw new GraphError(400, 'BadRequest', 'Invalid Skip Token, skip token is null');
    const plan = buildPlan(endpoint, version, { filter: payload.filter, orderby: payload.orderby, top: payload.top, select: payload.select }, planContext);
    return { plan, position: { slice: payload.slice, key: payload.key }, hadToken: true };
  }
  checkQueryOptions(endpoint, params);
  const top = parseTop(params.get('$top'));
  const plan = buildPlan(endpoint, version, { filter: params.get('$filter') ?? '', orderby: params.get('$orderby') ?? '', top, select: params.get('$select') ?? '' }, planContext);
  return { plan, hadToken: false };
}

function nextLink(state: SimulatorState, plan: ListingPlan, position: PagePosition): string {
  const token = encodeSkipToken(
    {
      endpoint: plan.endpoint, version: plan.version, filter: plan.filter, orderby: plan.orderby, top: plan.top,
      select: plan.select.join(','), slice: position.slice, key: position.key, issuedAtMs: Date.now(),
    },
    state.options.seed,
  );
  return `${state.baseUrl()}/${plan.version}/auditLogs/${plan.endpoint}?$top=${plan.top}&$skiptoken=${token}`;
}

function project(records: Record<string, unknown>[], select: string[]): Record<string, unknown>[] {
  if (select.length === 0) return records;
  const keys = select.includes('id') ? select : ['id', ...select];
  return records.map((record) => Object.fromEntries(keys.filter((k) => k in record).map((k) => [k, record[k]])));
}

async function handleListing(
  state: SimulatorState, req: IncomingMessage, res: ServerResponse, url: URL, version: ApiVersion, endpoint: EndpointName, ids: RequestIds,
): Promise<void> {
  const { options, stats } = state;
  const caller = authenticate(req.headers.authorization, options.staticTokens);
  stats.requests++;
  bump(stats.requestsByEndpoint, `${version}/${endpoint}`);
  bump(stats.requestsByApp, caller.appId);
  const throttleKey = `${options.tenant.id}|${caller.appId}`;
  stats.peakRequestsPerWindow = Math.max(stats.peakRequestsPerWindow, state.arrivals.record(throttleKey));
  const decision = state.throttle.check(throttleKey);
  if (!decision.admitted) {
    stats.throttled++;
    throw new GraphError(429, 'TooManyRequests', 'Please retry again later.', { 'Retry-After': String(decision.retryAfterSeconds) }, '429');
  }
  if (options.tenant.missingPermission) {
    throw new GraphError(403, 'Authentication_MSGraphPermissionMissing', 'Calling principal does not have required MSGraph permissions AuditLog.Read.All');
  }
  if (endpoint !== 'directoryAudits') {
    const spurious = options.tenant.licence === 'premium' && state.faults.spuriousLicenceError(options.tenant.spuriousLicenceErrorRate);
    if (spurious) bump(stats.faults as Record<string, number>, 'spuriousLicenceError');
    if (options.tenant.licence === 'free' || spurious) {
      throw new GraphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
    }
  }
  const { plan, position, hadToken } = planFromRequest(state, url, version, endpoint);
  const pagerContext: PagerContext = { timeline: state.timeline, factory: state.factory, nowMs: options.now(), earliest: state.earliestTicks };
  const from = position ?? startPosition(plan, pagerContext);

  const fault = state.faults.draw();
  const applies = fault !== undefined && (fault !== 'invalidSkipToken' || hadToken);
  if (fault && applies) bump(stats.faults as Record<string, number>, fault);
  const retryAfter = String(Math.round((3 / options.timeScale) * 1000) / 1000);
  if (applies) {
    switch (fault) {
      case 'throttleNoRetryAfter':
        stats.throttled++;
        throw new GraphError(429, 'TooManyRequests', 'Please retry again later.', {}, '429');
      case 'serverError500':
        throw new GraphError(500, 'UnknownError', 'An internal server error occurred.');
      case 'unavailable503':
        throw new GraphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.', { 'Retry-After': retryAfter });
      case 'gatewayTimeout504':
        throw new GraphError(504, 'GatewayTimeout', 'The upstream server did not respond in time.');
      case 'connectionReset':
        req.socket.destroy();
        return;
      case 'invalidSkipToken':
        throw new GraphError(400, 'BadRequest', 'Invalid Skip Token, skip token is null');
      case 'emptyPageWithNextLink':
        send(res, 200, await pageBody(state, plan, [], nextLink(state, plan, from)), ids);
        return;
      default:
        break;
    }
  }

  const page = await readPage(plan, from, pagerContext);
  const latency = options.latency[endpoint];
  await sleep((latency.baseMs + latency.perRecordMs * page.records.length) / options.timeScale);
  const body = await pageBody(state, plan, project(page.records, plan.select), page.next && nextLink(state, plan, page.next));
  stats.pagesServed++;
  stats.recordsServed += page.records.length;
  if (applies && fault === 'truncatedBody') {
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId });
    res.end(body.slice(0, Math.max(1, Math.floor(body.length / 2))));
    return;
  }
  send(res, 200, body, ids);
}

/** The page's JSON, serialised a slice of records per turn of the event loop (see pager.ts, RECORDS_PER_TURN). */
async function pageBody(state: SimulatorState, plan: ListingPlan, records: Record<string, unknown>[], next: string | undefined): Promise<string> {
  const context = `${state.baseUrl()}/${plan.version}/$metadata#auditLogs/${plan.endpoint}`;
  const values: string[] = [];
  for (let i = 0; i < records.length; i++) {
    if (i > 0 && i % BODY_RECORDS_PER_TURN === 0) await setImmediate();
    values.push(JSON.stringify(records[i]));
  }
  const head = `{"@odata.context":${JSON.stringify(context)},"value":[${values.join(',')}]`;
  return next ? `${head},"@odata.nextLink":${JSON.stringify(next)}}` : `${head}}`;
}

function handleSimRoute(state: SimulatorState, req: IncomingMessage, res: ServerResponse, url: URL, ids: RequestIds): void {
  const route = url.pathname.replace(/\/$/, '');
  if (route === '/_sim/stats' && req.method === 'GET') return send(res, 200, JSON.stringify(currentStats(state)), ids);
  if (route === '/_sim/reset-stats' && req.method === 'POST') {
    resetStats(state);
    return send(res, 200, JSON.stringify({ reset: true }), ids);
  }
  if (route === '/_sim/groundTruth' && req.method === 'GET') {
    const query = groundTruthQuery(url, 'groundTruth');
    const idsList = groundTruthIds(query, state.timeline, state.factory, state.options.now());
    const body = { stream: query.stream, start: url.searchParams.get('start'), end: url.searchParams.get('end'), asOf: url.searchParams.get('asOf') ?? new Date(state.options.now()).toISOString(), count: idsList.length, ids: idsList };
    return send(res, 200, JSON.stringify(body), ids);
  }
  if (route === '/_sim/records' && req.method === 'GET') {
    const records = visibleRecords(groundTruthQuery(url, 'records'), state.timeline, state.factory, state.options.now());
    return void streamJsonLines(res, records, ids);
  }
  throw new GraphError(404, 'NotFound', `Unknown simulator route ${route}`);
}

/** `stream`, `start`, `end` and optional `asOf` (ISO 8601 or epoch ms) of a ground-truth route. */
function groundTruthQuery(url: URL, route: string): GroundTruthQuery {
  const stream = url.searchParams.get('stream') ?? '';
  const start = url.searchParams.get('start');
  const end = url.searchParams.get('end');
  const asOf = url.searchParams.get('asOf');
  if (!isStreamId(stream) || !start || !end) throw new GraphError(400, 'BadRequest', `${route} needs stream, start and end`);
  const instant = (value: string): string | number => (/^\d+$/.test(value) ? Number(value) : value);
  try {
    // Parsed here, so a bad instant is a 400 before any byte of an answer is written.
    for (const value of [start, end, ...(asOf === null ? [] : [asOf])]) if (typeof instant(value) === 'string') parseInstant(value);
  } catch (error) {
    throw new GraphError(400, 'BadRequest', `${route}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { stream, start: instant(start), end: instant(end), asOf: asOf === null ? undefined : instant(asOf) };
}

/** One JSON record per line, written as the generator yields (a day of sign-ins does not sit in memory). */
async function streamJsonLines(res: ServerResponse, records: Iterable<Record<string, unknown>>, ids: RequestIds): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId });
  for (const record of records) {
    if (res.destroyed) return;
    if (!res.write(`${JSON.stringify(record)}\n`)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}
