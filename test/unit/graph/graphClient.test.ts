import { gzipSync } from 'node:zlib';
import { createGraphClient, GraphClient, GRAPH_USER_AGENT, type GraphClientEvent, type GraphClientOptions } from '../../../src/graph/graphClient';
import { SimulatorCredential } from '../../../src/graph/credentials';
import { GraphRequestError } from '../../../src/graph/errors';
import { processRateLimiter, TokenBucketRateLimiter } from '../../../src/graph/budget';
import { loadConfig } from '../../../src/config';
import { FakeClock, startScriptedGraphServer, type ScriptedGraphServer, type ScriptedStep } from './scriptedGraphServer';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const PAGE_PATH = '/beta/auditLogs/signIns?$top=2';
const page = (ids: string[], nextLink?: string): object => ({
  '@odata.context': 'https://graph.microsoft.com/beta/$metadata#auditLogs/signIns',
  value: ids.map((id) => ({ id, createdDateTime: '2026-11-27T10:00:00.1234567Z', futureProperty: { nested: [1, 'two'] } })),
  ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
});
const graphError = (code: string, message: string, innerError: Record<string, string> = {}): object => ({
  error: { code, message, innerError: { date: '2026-11-27T10:00:00', 'request-id': 'body-request-id', ...innerError } },
});

interface Harness {
  server: ScriptedGraphServer;
  client: GraphClient;
  clock: FakeClock;
  limiter: TokenBucketRateLimiter;
  events: GraphClientEvent[];
  /** Back-off sleeps of the client (the limiter's waits are in clock.sleeps too, tagged separately here). */
  backoffs: number[];
}

const servers: ScriptedGraphServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function harness(script: ScriptedStep[], options: Partial<GraphClientOptions> = {}, tls = false): Promise<Harness> {
  const server = await startScriptedGraphServer(script, { tls });
  servers.push(server);
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter({ requests: 5, windowMs: 10_000, now: clock.now, sleep: clock.sleep });
  const events: GraphClientEvent[] = [];
  const backoffs: number[] = [];
  const client = new GraphClient({
    baseUrl: server.baseUrl,
    credential: new SimulatorCredential({ appId: APP_ID, tenantId: 'tenant-guid', now: clock.now }),
    budget: limiter,
    requestTimeoutMs: 5_000,
    maxRetries: 3,
    retryDelayMs: 1_000,
    maxRetryDelayMs: 30_000,
    random: () => 0.5,
    now: clock.now,
    sleep: async (ms, signal) => {
      backoffs.push(ms);
      await clock.sleep(ms, signal);
    },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { server, client, clock, limiter, events, backoffs };
}

function decodeJwtPayload(authorization: string | undefined): Record<string, unknown> {
  const token = (authorization ?? '').replace(/^Bearer /, '');
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function expectGraphError(promise: Promise<unknown>): Promise<GraphRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphRequestError);
  return error as GraphRequestError;
}

describe('GraphClient.getPage', () => {
  it('returns records exactly as Graph sent them, with the nextLink and page facts', async () => {
    const next = 'https://graph.microsoft.com/beta/auditLogs/signIns?$top=2&$skiptoken=abc';
    const body = JSON.stringify(page(['a', 'b'], next));
    const h = await harness([{ status: 200, body }]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.records).toEqual([
      { id: 'a', createdDateTime: '2026-11-27T10:00:00.1234567Z', futureProperty: { nested: [1, 'two'] } },
      { id: 'b', createdDateTime: '2026-11-27T10:00:00.1234567Z', futureProperty: { nested: [1, 'two'] } },
    ]);
    expect(result.nextLink).toBe(next);
    expect(result).toMatchObject({ url: `${h.server.baseUrl}${PAGE_PATH}`, attempts: 1, throttled: 0, bytes: Buffer.byteLength(body) });
    expect(h.events).toEqual([expect.objectContaining({ type: 'page', records: 2, hasNextLink: true, attempts: 1 })]);
    expect(h.server.requests[0].url).toBe(PAGE_PATH);
  });

  it('sends the bearer token (simulator JWT with appid) over http, a client-request-id, the user agent and Prefer', async () => {
    const h = await harness([{ status: 200, body: page([]) }]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.records).toEqual([]);
    const headers = h.server.requests[0].headers;
    expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.$/);
    expect(decodeJwtPayload(headers.authorization)).toMatchObject({ aud: 'https://graph.microsoft.com', appid: APP_ID, tid: 'tenant-guid' });
    expect(headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['user-agent']).toContain(GRAPH_USER_AGENT);
    expect(GRAPH_USER_AGENT).toMatch(/^entra-log-exporter\/\d+\.\d+\.\d+/);
    expect(headers.prefer).toBe('include-unknown-enum-members');
    expect(headers['accept-encoding']).toMatch(/gzip/);
  });

  it('sends the token through core bearer-token authentication over https', async () => {
    const h = await harness([{ status: 200, body: page(['x']) }], {}, true);
    await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(decodeJwtPayload(h.server.requests[0].headers.authorization)).toMatchObject({ appid: APP_ID });
  });

  it('asks for gzip and reads compressed pages, counting decompressed bytes', async () => {
    const body = JSON.stringify(page(['a', 'b', 'c']));
    const h = await harness([{ status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync(body) }]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.records.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(result.bytes).toBe(Buffer.byteLength(body));
  });

  it('honours a fractional Retry-After on 429 by pausing the shared limiter, then succeeds', async () => {
    const h = await harness([
      { status: 429, headers: { 'Retry-After': '2.128' }, body: graphError('TooManyRequests', 'Please retry again later.', { code: '429' }) },
      { status: 200, body: page(['a']) },
    ]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result).toMatchObject({ attempts: 2, throttled: 1 });
    expect(h.backoffs).toEqual([]);
    expect(h.clock.sleeps).toEqual([2_128]);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'throttled', retryAfterMs: 2_128, attempt: 1 }));
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'retry', delayMs: 2_128, status: 429, sharedPause: true }));
    expect(h.limiter.stats.granted).toBe(2);
    // Both attempts carry the same client-request-id, so Graph support can follow one logical request.
    expect(h.server.requests[1].headers['client-request-id']).toBe(h.server.requests[0].headers['client-request-id']);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const retryAt = new Date(new FakeClock().nowMs + 30_000).toUTCString();
    const h = await harness([{ status: 429, headers: { 'Retry-After': retryAt } }, { status: 200, body: page([]) }]);
    await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(h.clock.sleeps).toEqual([30_000]);
  });

  it('honours Retry-After on 503 and backs off exponentially on 429 without it', async () => {
    const h = await harness([
      { status: 503, headers: { 'Retry-After': '7' }, body: graphError('ServiceUnavailable', 'busy') },
      { status: 429, body: graphError('TooManyRequests', 'Please retry again later.') },
      { status: 200, body: page([]) },
    ]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result).toMatchObject({ attempts: 3, throttled: 1 });
    // Retry 1 (index 1): 1000 + 0.5 * (4000 - 1000) = 2500, applied to the shared limiter.
    expect(h.clock.sleeps).toEqual([7_000, 2_500]);
    expect(h.backoffs).toEqual([]);
  });

  it('backs off exponentially with jitter on 500 and 504', async () => {
    const h = await harness([
      { status: 500, body: graphError('UnknownError', 'oops') },
      { status: 504, body: '<html>gateway timeout</html>' },
      { status: 500 },
      { status: 200, body: page(['a']) },
    ]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.attempts).toBe(4);
    // floor 1000, ceilings 2000, 4000, 8000, random 0.5.
    expect(h.backoffs).toEqual([1_500, 2_500, 4_500]);
    expect(h.events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.sharedPause : undefined))).toEqual([false, false, false]);
    expect(h.limiter.stats.granted).toBe(4);
  });

  it('keeps jittered delays within [floor, exponential ceiling]', async () => {
    for (const [random, expected] of [
      [0, [1_000, 1_000]],
      [1, [2_000, 4_000]],
    ] as const) {
      const h = await harness([{ status: 500 }, { status: 502 }, { status: 200, body: page([]) }], { random: () => random });
      await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
      expect(h.backoffs).toEqual(expected);
    }
  });

  it('retries a reset connection', async () => {
    const h = await harness([{ kind: 'reset' }, { status: 200, body: page(['a']) }]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.attempts).toBe(2);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'retry', reason: 'NetworkError', attempt: 1 }));
    expect(h.backoffs).toEqual([1_500]);
  });

  it('retries an attempt that exceeds the request timeout', async () => {
    // The page after the hang is answered at once; the generous extra attempts only guard against a busy machine.
    const ok: ScriptedStep = { status: 200, body: page(['a']) };
    const h = await harness([{ kind: 'hang' }, ok, ok, ok], { requestTimeoutMs: 250 });
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.records.map((r) => r.id)).toEqual(['a']);
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(h.events[0]).toMatchObject({ type: 'retry', reason: 'Timeout', attempt: 1 });
  });

  it('retries a 200 whose JSON body is cut short', async () => {
    const h = await harness([{ kind: 'truncated', body: '{"value":[{"id":"a","createdDateTime":"2026-' }, { status: 200, body: page(['a']) }]);
    const result = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(result.records.map((r) => r.id)).toEqual(['a']);
    expect(result.attempts).toBe(2);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'retry', reason: 'InvalidResponse' }));
  });

  it('throws a GraphRequestError with the last status, Graph code and attempts when retries run out', async () => {
    const failure: ScriptedStep = { status: 503, headers: { 'request-id': 'rid-503' }, body: graphError('ServiceUnavailable', 'try later') };
    const h = await harness([failure, failure, failure], { maxRetries: 2 });
    const error = await expectGraphError(h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`));
    expect(error).toMatchObject({ status: 503, graphCode: 'ServiceUnavailable', graphMessage: 'try later', requestId: 'rid-503', attempts: 3 });
    expect(h.server.requests).toHaveLength(3);
  });

  it('reports a network failure that outlasts the retries as status 0 NetworkError', async () => {
    const h = await harness([{ kind: 'reset' }, { kind: 'reset' }], { maxRetries: 1 });
    const error = await expectGraphError(h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`));
    expect(error).toMatchObject({ status: 0, graphCode: 'NetworkError', attempts: 2 });
  });

  it('keeps Retry-After on the final 429 for the worker', async () => {
    const throttled: ScriptedStep = { status: 429, headers: { 'Retry-After': '12' }, body: graphError('TooManyRequests', 'Please retry again later.') };
    const h = await harness([throttled, throttled], { maxRetries: 1 });
    const error = await expectGraphError(h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`));
    expect(error).toMatchObject({ status: 429, graphCode: 'TooManyRequests', retryAfterMs: 12_000, attempts: 2 });
  });

  it.each([
    [400, graphError('BadRequest', 'Invalid filter clause'), 'BadRequest', 'Invalid filter clause'],
    [401, graphError('InvalidAuthenticationToken', 'Access token has expired'), 'InvalidAuthenticationToken', 'Access token has expired'],
    [403, graphError('Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license"), 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license"],
    [403, graphError('Authentication_MSGraphPermissionMissing', 'Calling principal does not have required MSGraph permissions AuditLog.Read.All'), 'Authentication_MSGraphPermissionMissing', 'Calling principal does not have required MSGraph permissions AuditLog.Read.All'],
    [404, 'Not here', 'HTTP404', 'Not here'],
  ])('does not retry HTTP %i and keeps Graph code and message', async (status, body, code, message) => {
    const h = await harness([{ status, headers: { 'request-id': 'rid-header' }, body }, { status: 200, body: page([]) }]);
    const error = await expectGraphError(h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`));
    expect(error).toMatchObject({ status, graphCode: code, graphMessage: message, requestId: 'rid-header', attempts: 1 });
    expect(error.url).toBe(`${h.server.baseUrl}${PAGE_PATH}`);
    expect(h.server.requests).toHaveLength(1);
  });

  it('takes the request id from the error body when the header is missing', async () => {
    const h = await harness([{ status: 400, body: graphError('BadRequest', 'Invalid filter clause') }]);
    const error = await expectGraphError(h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`));
    expect(error.requestId).toBe('body-request-id');
  });

  it('refuses to send the token to another origin', async () => {
    const h = await harness([{ status: 200, body: page([]) }]);
    const error = await expectGraphError(h.client.getPage('https://attacker.example/beta/auditLogs/signIns'));
    expect(error).toMatchObject({ status: 0, graphCode: 'InvalidResponse', attempts: 0 });
    expect(h.server.requests).toHaveLength(0);
  });

  it('stops with the caller abort, not a GraphRequestError', async () => {
    const controller = new AbortController();
    const h = await harness([{ status: 500 }, { status: 200, body: page([]) }], {
      sleep: async () => {
        controller.abort();
        throw new DOMException('aborted', 'AbortError');
      },
    });
    const error = await h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`, controller.signal).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(GraphRequestError);
    expect((error as Error).name).toBe('AbortError');
    expect(h.server.requests).toHaveLength(1);
  });

  it('reports a credential that cannot produce a token as CredentialUnavailable', async () => {
    const failing = {
      getToken: async () => {
        const error = new Error('ManagedIdentityCredential: no managed identity endpoint found');
        error.name = 'CredentialUnavailableError';
        throw error;
      },
    };
    const h = await harness([{ status: 200, body: page([]) }], { credential: failing });
    const error = await expectGraphError(h.client.getPage(`${h.server.baseUrl}${PAGE_PATH}`));
    expect(error).toMatchObject({ status: 0, graphCode: 'CredentialUnavailable' });
    expect(h.server.requests).toHaveLength(0);
  });

  it('createGraphClient wires the configured credential and the process rate limiter', async () => {
    const server = await startScriptedGraphServer([{ status: 200, body: page(['a']) }]);
    servers.push(server);
    const config = loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      GRAPH_AUTH_MODE: 'simulator',
      GRAPH_BASE_URL: server.baseUrl,
      AZURE_CLIENT_ID: 'configured-app',
      GRAPH_RATE_LIMIT_REQUESTS: '3',
    }).graph;
    const limiter = processRateLimiter(config);
    const before = limiter.stats.granted;
    const result = await createGraphClient(config).getPage(`${server.baseUrl}${PAGE_PATH}`);
    expect(result.records).toHaveLength(1);
    expect(decodeJwtPayload(server.requests[0].headers.authorization)).toMatchObject({ appid: 'configured-app' });
    expect(limiter.stats.granted).toBe(before + 1);
  });
});
