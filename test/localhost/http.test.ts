import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { output } from '@azure/functions';
import type { HttpFunctionSpec } from '../../src/functions/registry';
import { LocalHost, startLocalHost } from '../../dev/local-host';
import { azuriteConnectionString, uniqueName } from '../support/azurite';
import { FIXTURE_HOST_JSON, fromBase64, peekTexts, startTestHost } from './localHostFixture';

const echo: HttpFunctionSpec = {
  kind: 'http',
  name: 'echo',
  methods: ['GET', 'POST'],
  route: 'items/{id}/{part?}',
  authLevel: 'function',
  handler: async (request, context) => ({
    status: 201,
    headers: { 'x-echo': 'yes' },
    cookies: [{ name: 'seen', value: 'a b', httpOnly: true, path: '/' }],
    jsonBody: {
      method: request.method,
      params: request.params,
      tags: request.query.getAll('tag'),
      header: request.headers.get('x-caller'),
      body: request.method === 'POST' ? await request.json() : null,
      functionName: context.functionName,
    },
  }),
};

const special: HttpFunctionSpec = {
  kind: 'http',
  name: 'special',
  methods: ['GET'],
  route: 'items/special',
  authLevel: 'anonymous',
  handler: () => ({ body: 'literal route wins' }),
};

const stream: HttpFunctionSpec = {
  kind: 'http',
  name: 'download',
  methods: ['GET'],
  route: 'files/{*path}',
  authLevel: 'anonymous',
  handler: (request) => ({
    headers: { 'content-type': 'text/plain' },
    body: Readable.from([Buffer.from('streamed '), Buffer.from(request.params.path ?? '')]),
  }),
};

const bytes: HttpFunctionSpec = {
  kind: 'http',
  name: 'bytes',
  methods: ['GET'],
  route: 'bytes',
  authLevel: 'anonymous',
  handler: () => ({ status: 200, body: Buffer.from([1, 2, 3]) }),
};

const failing: HttpFunctionSpec = {
  kind: 'http',
  name: 'failing',
  methods: ['GET'],
  route: 'fails',
  authLevel: 'anonymous',
  handler: () => {
    throw new Error('the handler broke');
  },
};

const noContent: HttpFunctionSpec = {
  kind: 'http',
  name: 'nothing',
  methods: ['DELETE'],
  route: 'items/{id}',
  authLevel: 'anonymous',
  handler: () => ({ status: 204, jsonBody: { ignored: true } }),
};

describe('local host: HTTP functions', () => {
  let host: LocalHost;
  beforeAll(async () => {
    host = await startTestHost([echo, special, stream, bytes, failing, noContent]);
  });
  afterAll(() => host.stop());

  it('round-trips route params, query, headers, a JSON body, status, headers and cookies', async () => {
    const response = await fetch(`${host.httpUrl}/api/items/42/summary?tag=a&tag=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-caller': 'tester' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.getSetCookie()).toEqual(['seen=a%20b; Path=/; HttpOnly']);
    expect(await response.json()).toEqual({
      method: 'POST',
      params: { id: '42', part: 'summary' },
      tags: ['a', 'b'],
      header: 'tester',
      body: { hello: 'world' },
      functionName: 'echo',
    });
  });

  it('leaves an optional route parameter out when the segment is missing, and decodes values', async () => {
    const response = await fetch(`${host.httpUrl}/api/ITEMS/a%20b`);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { params: unknown }).params).toEqual({ id: 'a b' });
  });

  it('prefers a literal route over a parameter and streams or sends bytes as given', async () => {
    expect(await (await fetch(`${host.httpUrl}/api/items/special`)).text()).toBe('literal route wins');
    expect(await (await fetch(`${host.httpUrl}/api/files/a/b.txt`)).text()).toBe('streamed a/b.txt');
    expect([...new Uint8Array(await (await fetch(`${host.httpUrl}/api/bytes`)).arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('answers 404 for unknown routes, paths outside the route prefix and methods the function does not take', async () => {
    expect((await fetch(`${host.httpUrl}/api/unknown`)).status).toBe(404);
    expect((await fetch(`${host.httpUrl}/bytes`)).status).toBe(404);
    expect((await fetch(`${host.httpUrl}/api/bytes`, { method: 'PUT', body: 'x' })).status).toBe(404);
  });

  it('turns a handler exception into a 500 with a JSON error body', async () => {
    const response = await fetch(`${host.httpUrl}/api/fails`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'InternalError', message: 'the handler broke' } });
  });

  it('sends no body with a 204 even when the handler set one', async () => {
    const response = await fetch(`${host.httpUrl}/api/items/9`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });
});

describe('local host: HTTP queue output', () => {
  it('sends the queue output an HTTP function sets when its spec lists extraOutputs', async () => {
    const queueName = uniqueName('httpout');
    const jobs = output.storageQueue({ queueName, connection: 'AzureWebJobsStorage' });
    const enqueue = {
      kind: 'http',
      name: 'enqueue',
      methods: ['POST'],
      route: 'enqueue',
      authLevel: 'function',
      extraOutputs: [jobs],
      handler: (_request, context) => {
        context.extraOutputs.set(jobs, { queued: true });
        return { status: 202 };
      },
    } satisfies HttpFunctionSpec & { extraOutputs: unknown[] };
    const host = await startTestHost([enqueue]);
    try {
      expect((await fetch(`${host.httpUrl}/api/enqueue`, { method: 'POST' })).status).toBe(202);
      expect((await peekTexts(queueName)).map(fromBase64)).toEqual(['{"queued":true}']);
    } finally {
      await host.stop();
    }
  });
});

describe('local host: HTTP port', () => {
  it('moves to a free port when the preferred one is taken, and says so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as AddressInfo).port;
    const lines: string[] = [];
    const host = await startLocalHost({
      specs: [bytes],
      storageConnectionString: azuriteConnectionString(),
      hostJsonPath: FIXTURE_HOST_JSON,
      httpPort: taken,
      log: (_level, _source, message) => lines.push(message),
    });
    try {
      expect(host.httpUrl).not.toBe(`http://127.0.0.1:${taken}`);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`Port ${taken} is in use`)));
      expect((await fetch(`${host.httpUrl}/api/bytes`)).status).toBe(200);
    } finally {
      await host.stop();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
