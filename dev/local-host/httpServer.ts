/**
 * The HTTP side of the local host: one node:http server that routes `/<routePrefix>/<route>` to the
 * registered HTTP functions. Route values become `request.params`. What the host itself answers is JSON and
 * generic, never an exception's text: a path no function serves is 404, a method the matching functions do not
 * take is 405 with `Allow` (the app's catch-all route, when registered, answers these first), a malformed request
 * (bad Host, unparsable request line or headers) is 400, a body over the Functions host's 100 MB limit is 413, and a
 * failed invocation is 500 with the details in the host log only. Like App Service's front end, the host sets
 * `client-ip` from the connection, overwriting any value the client sent.
 * Function keys are not checked, as with Core Tools locally: authLevel only matters in Azure.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FunctionOutput, HttpRequest, trigger } from '@azure/functions';
import type { HttpFunctionSpec } from '../../src/functions/registry';
import { writeHandlerResult, writeJson } from './httpResponseWriter';
import { invoke } from './invocation';
import { describeError, HostLog } from './logger';
import { sendQueueOutputs } from './outputBindings';
import type { QueueClients } from './queueClients';
import type { MessageEncoding } from './queueMessageCodec';
import { compileRoute, CompiledRoute } from '../../src/api/routeTemplate';

export interface HttpServerOptions {
  specs: readonly HttpFunctionSpec[];
  routePrefix: string;
  port: number;
  host: string;
  log: HostLog;
  /** For queue output bindings of HTTP functions. */
  queues: QueueClients;
  encoding: MessageEncoding;
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

interface Route {
  spec: HttpFunctionSpec;
  compiled: CompiledRoute;
}

/** The Functions host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, 100 MB). */
export const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

const INTERNAL_ERROR = 'The function failed; the error is in the host log.';
const CATCH_ALL_ROUTE = /^\{\*[^}]+\}$/;

class HostRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const routes: Route[] = options.specs
    .map((spec) => ({ spec, compiled: compileRoute(`${options.routePrefix}/${spec.route || spec.name}`) }))
    .sort((a, b) => b.compiled.literalSegments - a.compiled.literalSegments);
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const handling = handle(req, res, routes, options).catch((error: unknown) => {
      if (error instanceof HostRefusal) {
        if (!res.headersSent) writeError(res, req.method, error.status, error.code, error.message, error.headers);
        return;
      }
      options.log('error', 'host', `HTTP ${req.method} ${req.url} failed: ${describeError(error)}`);
      if (!res.headersSent) writeError(res, req.method, 500, 'InternalError', INTERNAL_ERROR);
      else res.destroy();
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  // Requests Node cannot parse (bad request line, method, header syntax or size) get a JSON 400, not an empty one.
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    if (error.code === 'HPE_HEADER_OVERFLOW') endWithJson(socket, 431, 'Request Header Fields Too Large', 'BadRequest', 'The request headers are too large.');
    else endWithJson(socket, 400, 'Bad Request', 'BadRequest', 'The request is malformed.');
  });
  // CONNECT (tunnels) is not HTTP the functions serve; Node would otherwise drop the connection without an answer.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => endWithJson(socket, 405, 'Method Not Allowed', 'MethodNotAllowed', 'CONNECT is not served here.'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  for (const { spec, compiled } of routes) {
    options.log('information', 'host', `${spec.name}: [${spec.methods.join(',')}] /${compiled.template.replace(/^\/+/, '')}`);
  }
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.all([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: readonly Route[], options: HttpServerOptions): Promise<void> {
  const { log } = options;
  const method = (req.method ?? 'GET').toUpperCase();
  const url = requestUrl(req);
  if (url.pathname === '/' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(method === 'HEAD' ? undefined : 'The Functions local host is running.\n');
    return;
  }
  let matched: { route: Route; params: Record<string, string> } | undefined;
  const allowed = new Set<string>();
  for (const route of routes) {
    const params = route.compiled.match(url.pathname);
    if (!params) continue;
    if (!route.spec.methods.some((m) => m.toUpperCase() === method)) {
      // A catch-all route (`{*path}`) matches every path: its methods say nothing about this one.
      if (!CATCH_ALL_ROUTE.test(route.spec.route)) for (const m of route.spec.methods) allowed.add(m.toUpperCase());
      continue;
    }
    matched = { route, params };
    break;
  }
  if (!matched) {
    req.resume();
    if (allowed.size > 0) {
      log('warning', 'host', `${method} ${url.pathname}: the function serving this route does not accept ${method}`);
      const allow = [...allowed].sort().join(', ');
      throw new HostRefusal(405, 'MethodNotAllowed', `This route takes ${allow}.`, { Allow: allow });
    }
    throw new HostRefusal(404, 'RouteNotFound', 'No function serves this path.');
  }
  const { spec } = matched.route;
  const extraOutputs = queueOutputsOf(spec);
  const body = await readBody(req);
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers: flattenHeaders(req),
    params: matched.params,
    // The query is left to the URL so repeated keys survive (request.query.getAll). GET and HEAD bodies are
    // dropped here, as the library would drop them (with a console warning per request).
    body: body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { bytes: body } : undefined,
  });
  const outcome = await invoke(
    {
      functionName: spec.name,
      reason: `This function was programmatically called via the host APIs.`,
      trigger: trigger.http({ methods: spec.methods, authLevel: spec.authLevel, route: spec.route }),
      extraOutputs,
      log,
    },
    async (context) => {
      const result = await spec.handler(request, context);
      await sendQueueOutputs(context, extraOutputs, options.queues, options.encoding);
      return result;
    },
  );
  if (!outcome.succeeded) {
    // The invocation log already has the error; the caller gets what Azure gives: a status, no internals.
    writeError(res, method, 500, 'InternalError', INTERNAL_ERROR);
    return;
  }
  await writeHandlerResult(res, outcome.result, method);
}

/** The request's URL, or a 400 when its Host header or target cannot form one (Azure's front end refuses those too). */
function requestUrl(req: IncomingMessage): URL {
  try {
    const host = req.headers.host ?? 'localhost';
    if (!/^[A-Za-z0-9.\-[\]:]{1,255}$/.test(host)) throw new Error('bad host');
    const target = req.url ?? '/';
    if (!target.startsWith('/')) throw new Error('not an origin-form target');
    return new URL(target, `http://${host}`);
  } catch {
    throw new HostRefusal(400, 'BadRequest', 'The request\'s Host header or target is malformed.');
  }
}

function endWithJson(socket: Socket, status: number, reason: string, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

function writeError(res: ServerResponse, method: string | undefined, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if ((method ?? '').toUpperCase() === 'HEAD') {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end();
    return;
  }
  writeJson(res, status, { error: { code, message } });
}

/** HTTP specs carry no outputs today; a spec that adds `extraOutputs` gets them sent like any other trigger's. */
function queueOutputsOf(spec: HttpFunctionSpec): FunctionOutput[] {
  const outputs: unknown = (spec as Partial<Record<'extraOutputs', unknown>>).extraOutputs;
  return Array.isArray(outputs) ? (outputs as FunctionOutput[]) : [];
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'client-ip') continue;
    headers[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  // App Service's front end records the peer address as client-ip (ip:port), replacing any client-sent value.
  const address = req.socket.remoteAddress;
  if (address) headers['client-ip'] = address.includes(':') ? `[${address}]:${req.socket.remotePort ?? 0}` : `${address}:${req.socket.remotePort ?? 0}`;
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BODY_BYTES) throw tooLarge(req);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BODY_BYTES) throw tooLarge(req);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HostRefusal) throw error;
    // A body cut short or unparsable (bad chunking): the client's fault, answered like any malformed request.
    throw new HostRefusal(400, 'BadRequest', 'The request body could not be read.', { Connection: 'close' });
  }
  return Buffer.concat(chunks);
}

function tooLarge(req: IncomingMessage): HostRefusal {
  req.resume();
  return new HostRefusal(413, 'PayloadTooLarge', `The request body is over the host's limit of ${MAX_REQUEST_BODY_BYTES} bytes.`, { Connection: 'close' });
}
