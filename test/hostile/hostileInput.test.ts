/**
 * Hostile input against the app as `npm run dev` runs it: the real function registrations on the local host, real
 * exports in Azurite, byte-exact requests. Every case must get a JSON 4xx with its stable code, and no answer may
 * carry the function key, a stack trace or other internals. A seeded fuzz pass then throws random fragments at
 * every route and asserts the same of whatever comes back: never a 5xx, never an empty or non-JSON error.
 */
import { randomBytes } from 'node:crypto';
import type { ApiErrorCode } from '../../src/api/http';
import { LocalHost, startLocalHost } from '../../dev/local-host';
import { hideTestModeWarnings } from '../../dev/local-host/testModeWarnings';
import { Runtime, setRuntime } from '../../src/app/runtime';
import type { ApiAuthSettings } from '../../src/config';
import type { ExportJob } from '../../src/export/job';
import type { HttpFunctionSpec } from '../../src/functions/registry';
import { azuriteConnectionString } from '../support/azurite';
import { Harness, startHarness } from '../support/exportHarness';
import { OpenApiContract } from '../support/openApi';
import { AuthMode, HostileCase, hostileCases } from './hostileCases';
import { RawRequest, RawResponse, sendRaw } from './rawHttp';

const QUERY_KEY = 'HOSTILE-QUERY-KEY-7f3a9d';
const HEADER_KEY = 'HOSTILE-HEADER-KEY-c81e04';
const KNOWN_CODES: ApiErrorCode[] = [
  'InvalidParameter',
  'UnknownParameter',
  'DuplicateParameter',
  'InvalidBody',
  'UnsupportedMediaType',
  'PayloadTooLarge',
  'InvalidJobId',
  'ExportNotFound',
  'ExportNotFinished',
  'FileNotFound',
  'RevisionNotFound',
  'OutsideRetention',
  'RouteNotFound',
  'MethodNotAllowed',
  'BadRequest',
  'Unauthenticated',
  'Forbidden',
  'InvalidField',
  'UnknownField',
];
/** What an answer must never contain: the keys sent, stack frames, paths, storage and runtime error names. */
const LEAKS: RegExp[] = [
  new RegExp(QUERY_KEY),
  new RegExp(HEADER_KEY),
  /\bat .+:\d+:\d+/,
  /node_modules|\/work\/|\/src\/|\.ts\b/,
  /devstoreaccount1|AccountKey|SharedAccessSignature|sig=/i,
  /RestError|TypeError|SyntaxError|RangeError|ReferenceError|ECONN|Unexpected token|is not a function|undefined|\[object Object\]/,
];

const AUTH: Record<AuthMode, ApiAuthSettings> = {
  keyOnly: { authentication: 'functionKey', platformAuthentication: false },
  signedIn: { authentication: 'appService', platformAuthentication: true },
  platformOnly: { authentication: 'functionKey', platformAuthentication: true },
};

let h: Harness;
let contract: OpenApiContract;
let host: LocalHost;
let baseRuntime: Runtime;
const hostErrors: string[] = [];
let cases: HostileCase[] = [];
const tally = { sent: 0, fiveHundreds: 0, emptyBodies: 0 };

function withKey(request: RawRequest): RawRequest {
  if (request.raw !== undefined) return request;
  const target = request.target.startsWith('/') ? `${request.target}${request.target.includes('?') ? '&' : '?'}code=${QUERY_KEY}` : request.target;
  return { ...request, target, headers: [...(request.headers ?? []), ['x-functions-key', HEADER_KEY]] };
}

function useAuth(mode: AuthMode): void {
  setRuntime({ ...baseRuntime, config: { ...baseRuntime.config, api: AUTH[mode] } });
}

/** The shape every error answer must have; returns its code. */
function checkErrorAnswer(request: RawRequest, response: RawResponse): string | undefined {
  tally.sent += 1;
  if (response.status >= 500) tally.fiveHundreds += 1;
  const everything = `${response.body}\n${JSON.stringify(response.headers)}`;
  for (const leak of LEAKS) expect({ leak: leak.source, found: leak.test(everything) }).toEqual({ leak: leak.source, found: false });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  if (request.method.toUpperCase() === 'HEAD') return undefined;
  if (response.body.length === 0) tally.emptyBodies += 1;
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  // Every answer, of whichever route, as docs/openapi.yaml describes it.
  expect(contract.problems({ method: request.method.toUpperCase(), url: request.target, status: response.status, headers: response.headers, body })).toEqual([]);
  expect(Object.keys(body)).toEqual(['error']);
  // `target` names the body field at fault (on-demand exports).
  expect(Object.keys(body.error).filter((k) => k !== 'target').sort()).toEqual(['code', 'message']);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(KNOWN_CODES).toContain(body.error.code);
  return body.error.code;
}

beforeAll(async () => {
  contract = await OpenApiContract.load();
  h = await startHarness({
    nowIso: '2026-11-28T12:00:00Z',
    env: { MAX_WINDOWS_PER_TICK: '1', STREAM_NONINTERACTIVESIGNINS_ENABLED: 'false', STREAM_PROVISIONING_ENABLED: 'false' },
    simulator: { volume: { audit: 30, interactiveSignIns: 10, servicePrincipalSignIns: 5, managedIdentitySignIns: 5 } },
  });
  await h.drain(await h.plan());
  const jobs = await h.allJobs();
  const done = jobs.find((j) => j.status === 'succeeded' && j.result && j.result.files.length > 0) as ExportJob;
  const queued: ExportJob = { ...done, jobId: 'audit-20250101T0000Z', status: 'queued', result: undefined, finishedAt: undefined, etag: undefined };
  await h.runtime.jobs.insertIfAbsent(queued);
  const old: ExportJob = { ...done, jobId: 'audit-20250102T0000Z', windowStart: '2025-01-02T00:00:00Z', windowEnd: '2025-01-02T01:00:00Z', etag: undefined };
  await h.runtime.jobs.insertIfAbsent(old);
  cases = hostileCases({ done: done.jobId, fileKey: done.result!.files[0]!.key, queued: queued.jobId, missing: 'audit-20200101T0000Z', old: old.jobId });

  baseRuntime = h.runtime;
  setRuntime(baseRuntime);
  const restoreWarnings = hideTestModeWarnings();
  const { registeredFunctions } = await import('../../src/functions');
  restoreWarnings();
  // HTTP functions only: the queue and timer of this shared Azurite belong to no one here.
  const specs = registeredFunctions().filter((s): s is HttpFunctionSpec => s.kind === 'http');
  host = await startLocalHost({
    specs,
    storageConnectionString: azuriteConnectionString(),
    httpPort: 0,
    log: (level, source, message) => {
      if (level === 'error' || level === 'critical') hostErrors.push(`[${source}] ${message}`);
    },
  });
});

afterAll(async () => {
  await host?.stop();
  setRuntime(undefined);
  await h?.close();
});

describe('hostile requests', () => {
  // Built in beforeAll, after the exports exist; jest needs the list when it collects tests, so each mode's cases run in one test per group.
  const groups = ['export ids', 'file keys', 'traversal', 'query', 'methods', 'bodies', 'headers', 'encodings', 'on-demand exports', 'streams and page', 'principals'];
  for (const group of groups) {
    it(`${group}: every case gets its JSON 4xx and stable code, and leaks nothing`, async () => {
      const mine = cases.filter((c) => c.group === group);
      expect(mine.length).toBeGreaterThan(0);
      const outcomes: Array<{ name: string; status: number; code?: string; allow?: string }> = [];
      for (const c of mine) {
        useAuth(c.mode ?? 'keyOnly');
        const request = withKey(c.request);
        const response = await sendRaw(host.httpUrl, request);
        if (response.status < 400) throw new Error(`${c.name}: answered ${response.status} ${response.body.slice(0, 300)}`);
        const code = checkErrorAnswer(request, response);
        outcomes.push({ name: c.name, status: response.status, code: request.method.toUpperCase() === 'HEAD' ? c.code : code, allow: c.allow === undefined ? undefined : response.headers.allow });
      }
      useAuth('keyOnly');
      expect(outcomes).toEqual(mine.map((c) => ({ name: c.name, status: c.status, code: c.code, allow: c.allow })));
    });
  }

  it('covers at least 150 cases over every route and every error code a caller can cause', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const codes = new Set(cases.map((c) => c.code));
    for (const code of KNOWN_CODES) expect({ code, covered: codes.has(code) }).toEqual({ code, covered: true });
    const covered = (method: string, route: RegExp) => cases.some((c) => c.request.method === method && route.test(c.request.target));
    expect(covered('GET', /^\/api\/exports\?/)).toBe(true);
    expect(covered('POST', /^\/api\/exports$/)).toBe(true);
    expect(covered('GET', /^\/api\/exports\/[^/]+$/)).toBe(true);
    expect(covered('GET', /\/files\//)).toBe(true);
    expect(covered('POST', /\/rerun$/)).toBe(true);
    expect(covered('GET', /^\/api\/streams/)).toBe(true);
    expect(covered('GET', /^\/api\/ui/)).toBe(true);
  });
});

/** A small deterministic generator, so a failing fuzz request can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('seeded fuzz', () => {
  const FRAGMENTS = ['..', '%2e%2e', '%2F', '%5C', '%00', '%0D%0A', "'", '%27%20or%201%20eq%201', '%zz', '%C0%AE', '%F0%9F%92%A9', '~', '$filter', '*', '%25', 'audit-20261127T1000Z', 'manifest', 'csv', ';', '..;', '%u002e', 'A'.repeat(300)];
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  const QUERY_KEYS = ['stream', 'status', 'kind', 'from', 'to', 'limit', 'cursor', 'expiresInMinutes', '%00', '$top', 'code'];

  it('answers 300 random hostile requests with JSON errors and stable codes, never a 5xx', async () => {
    const random = prng(20261128);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i += 1) {
      // Mostly under exports (ids, files, rerun), sometimes under stream health and the page.
      const root = random() < 0.8 ? 'exports' : pick(['streams', 'ui']);
      const segments = ['api', root, ...Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(FRAGMENTS) + (random() < 0.3 ? pick(FRAGMENTS) : ''))];
      if (root === 'exports' && random() < 0.3) segments.splice(3, 0, 'files');
      const query = Array.from({ length: Math.floor(random() * 3) }, () => `${pick(QUERY_KEYS)}=${pick(FRAGMENTS)}`).join('&');
      const method = pick(METHODS);
      const body = random() < 0.3 ? randomBytes(Math.floor(random() * 2048)) : undefined;
      const mode = pick(['keyOnly', 'signedIn', 'platformOnly'] as const);
      const headers: Array<[string, string]> = random() < 0.5 ? [['X-MS-CLIENT-PRINCIPAL', Buffer.from(pick(FRAGMENTS)).toString('base64')]] : [];
      useAuth(mode);
      const request = withKey({ method, target: `/${segments.join('/')}${query ? `?${query}` : ''}`, headers, body });
      const response = await sendRaw(host.httpUrl, request);
      expect({ request: `${mode} ${method} ${request.target}`, status: response.status >= 400 && response.status < 500 }).toEqual({ request: `${mode} ${method} ${request.target}`, status: true });
      const code = checkErrorAnswer(request, response) ?? 'HEAD';
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    useAuth('keyOnly');
    expect(seen.size).toBeGreaterThan(4);
  });

  it('left nothing unexpected in the host log, and counted no 5xx and no empty error body', () => {
    expect(hostErrors).toEqual([]);
    expect(tally.sent).toBeGreaterThan(450);
    expect({ fiveHundreds: tally.fiveHundreds, emptyBodies: tally.emptyBodies }).toEqual({ fiveHundreds: 0, emptyBodies: 0 });
  });
});
