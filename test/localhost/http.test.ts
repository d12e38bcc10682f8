import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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
      clientIp: request.headers.get('client-ip'),
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
      clientIp: expect.any(String),
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

  it('answers JSON 404 for unknown routes and paths outside the route prefix, 405 with Allow for other methods', async () => {
    for (const path of ['/api/unknown', '/bytes']) {
      const response = await fetch(`${host.httpUrl}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'RouteNotFound', message: expect.any(String) } });
    }
    const wrongMethod = await fetch(`${host.httpUrl}/api/bytes`, { method: 'PUT', body: 'x' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(await wrongMethod.json()).toEqual({ error: { code: 'MethodNotAllowed', message: expect.any(String) } });
  });

  it('turns a handler exception into a generic JSON 500: the exception text stays in the log', async () => {
    const response = await fetch(`${host.httpUrl}/api/fails`);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('InternalError');
    expect(body.error.message).not.toContain('the handler broke');
  });

  it('answers a malformed Host header or request line with a JSON 400, never a 500', async () => {
    for (const raw of [`GET /api/bytes HTTP/1.1\r\nHost: bad host^\r\n\r\n`, `GET /api/bytes HTTP/1.1\r\nHost: [::1\r\n\r\n`, `BREW /api/bytes HTTP/1.1\r\nHost: x\r\n\r\n`, `GET http://evil.example/api/bytes HTTP/1.1\r\nHost: x\r\n\r\n`]) {
      const { status, body } = await rawRequest(host.httpUrl, raw);
      expect({ raw, status }).toEqual({ raw, status: 400 });
      expect(JSON.parse(body)).toEqual({ error: { code: 'BadRequest', message: expect.any(String) } });
    }
  });

  it('sets client-ip from the connection, replacing what the client sent, like App Service\'s front end', async () => {
    const response = await fetch(`${host.httpUrl}/api/items/1`, { method: 'POST', headers: { 'client-ip': '198.51.100.9:1', 'content-type': 'application/json', 'x-caller': 'x' }, body: '{}' });
    expect(((await response.json()) as { clientIp: string }).clientIp).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/);
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

/** Sends bytes as they are (fetch would refuse to send a malformed request) and reads the status and body. */
function rawRequest(baseUrl: string, raw: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw.replace(/\r\n\r\n$/, '\r\nConnection: close\r\n\r\n')));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]), body: rest.join('\r\n\r\n') });
    });
  });
}
