/**
 * The HTTP side of the local host: one node:http server that routes `/<routePrefix>/<route>` to the
 * registered HTTP functions. Route values become `request.params`; a path no function serves, or a
 * method the matching function does not accept, gets 404 (the host's route constraints behave so).
 * Function keys are not checked, as with Core Tools locally: authLevel only matters in Azure.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FunctionOutput, HttpRequest, trigger } from '@azure/functions';
import type { HttpFunctionSpec } from '../../src/functions/registry';
import { writeHandlerResult, writeJson } from './httpResponseWriter';
import { invoke } from './invocation';
import { describeError, HostLog } from './logger';
import { sendQueueOutputs } from './outputBindings';
import type { QueueClients } from './queueClients';
import type { MessageEncoding } from './queueMessageCodec';
import { compileRoute, CompiledRoute } from './routeTemplate';

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

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const routes: Route[] = options.specs
    .map((spec) => ({ spec, compiled: compileRoute(`${options.routePrefix}/${spec.route || spec.name}`) }))
    .sort((a, b) => b.compiled.literalSegments - a.compiled.literalSegments);
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const handling = handle(req, res, routes, options).catch((error: unknown) => {
      options.log('error', 'host', `HTTP ${req.method} ${req.url} failed: ${describeError(error)}`);
      if (!res.headersSent) writeJson(res, 500, internalError(error));
      else res.destroy();
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
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
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  if (url.pathname === '/' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(method === 'HEAD' ? undefined : 'The Functions local host is running.\n');
    return;
  }
  let matched: { route: Route; params: Record<string, string> } | undefined;
  let pathMatchedOtherMethod = false;
  for (const route of routes) {
    const params = route.compiled.match(url.pathname);
    if (!params) continue;
    if (!route.spec.methods.some((m) => m.toUpperCase() === method)) {
      pathMatchedOtherMethod = true;
      continue;
    }
    matched = { route, params };
    break;
  }
  if (!matched) {
    if (pathMatchedOtherMethod) log('warning', 'host', `${method} ${url.pathname}: the function serving this route does not accept ${method}`);
    res.writeHead(404);
    res.end();
    return;
  }
  const { spec } = matched.route;
  const extraOutputs = queueOutputsOf(spec);
  const body = await readBody(req);
  const request = new HttpRequest({
    method,
    url: url.toString(),
    headers: flattenHeaders(req),
    params: matched.params,
    // The query is left to the URL so repeated keys survive (request.query.getAll).
    body: body.length > 0 ? { bytes: body } : undefined,
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
    writeJson(res, 500, internalError(outcome.error));
    return;
  }
  await writeHandlerResult(res, outcome.result, method);
}

/** HTTP specs carry no outputs today; a spec that adds `extraOutputs` gets them sent like any other trigger's. */
function queueOutputsOf(spec: HttpFunctionSpec): FunctionOutput[] {
  const outputs: unknown = (spec as Partial<Record<'extraOutputs', unknown>>).extraOutputs;
  return Array.isArray(outputs) ? (outputs as FunctionOutput[]) : [];
}

function internalError(error: unknown): { error: { code: string; message: string } } {
  return { error: { code: 'InternalError', message: error instanceof Error ? error.message : String(error) } };
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
