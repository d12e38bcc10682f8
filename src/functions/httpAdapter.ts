/**
 * The one translation between @azure/functions' HttpRequest and the API's own request shape (src/api/http.ts), and
 * the wrapper every HTTP function uses: runtime ready, handler run, any error turned into the JSON error shape.
 */
import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getRuntime, Runtime } from '../app/runtime';
import { ApiRequest, ApiResponse, handled } from '../api/http';

export function toApiRequest(request: HttpRequest): ApiRequest {
  return {
    method: request.method,
    url: request.url,
    query: request.query,
    params: request.params,
    header: (name) => request.headers.get(name),
    body: async () => Buffer.from(await request.arrayBuffer()),
  };
}

/** An HTTP handler over the API's shapes: `run` gets the request, the process's runtime and the invocation. */
export function adaptHttp(run: (request: ApiRequest, runtime: Runtime, context: InvocationContext) => Promise<ApiResponse>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    return handled(async () => {
      const runtime = getRuntime();
      await runtime.ensureReady();
      return run(toApiRequest(request), runtime, context);
    }, (m) => context.error(m));
  };
}
