/**
 * HTTP: the catch-all route. Any request under the route prefix that no other function takes gets a JSON 404, or a
 * 405 with `Allow` when the path exists for other methods. Logic: src/api/routeFallback.ts. It reads no storage and
 * no settings, so it answers even when the rest of the app cannot start.
 */
import { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ApiRequest, handled } from '../api/http';
import { routeTable, RouteTable } from '../api/routeFallback';
import { HttpFunctionSpec, registeredFunctions, registerHttp } from './registry';

export const FALLBACK_FUNCTION_NAME = 'routeFallback';
/** Every method the worker can represent (its fetch Request refuses TRACE and CONNECT, so those never reach a function). */
const ALL_METHODS: HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

let table: RouteTable | undefined;

function routes(): RouteTable {
  // Built on first use: every function file has registered by then.
  table ??= routeTable(
    registeredFunctions()
      .filter((spec): spec is HttpFunctionSpec => spec.kind === 'http' && spec.name !== FALLBACK_FUNCTION_NAME)
      .map((spec) => ({ route: spec.route, methods: spec.methods })),
  );
  return table;
}

export async function routeFallbackHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const apiRequest: ApiRequest = {
    method: request.method,
    url: request.url,
    query: request.query,
    params: request.params,
    header: (name) => request.headers.get(name),
    body: async () => Buffer.alloc(0),
  };
  return handled(async () => routes().refuse(apiRequest, request.params.path ?? ''), (m) => context.error(m));
}

registerHttp({
  name: FALLBACK_FUNCTION_NAME,
  methods: ALL_METHODS,
  route: '{*path}',
  // Like every route: a request without a key is refused by the host before any code runs.
  authLevel: 'function',
  handler: routeFallbackHandler,
});
