/**
 * What the catch-all route answers: a path no function serves is 404 `RouteNotFound`; a path some function serves,
 * but not for this method, is 405 `MethodNotAllowed` with an `Allow` header listing the methods it takes. The
 * Functions host tries every specific route (with its method constraint) before the catch-all, so only unrouted
 * requests get here.
 */
import { ApiError, ApiRequest, echo } from './http';
import { compileRoute, CompiledRoute } from './routeTemplate';

export interface RouteDescription {
  /** Route below the route prefix, e.g. `exports/{jobId}`. */
  route: string;
  methods: readonly string[];
}

export interface RouteTable {
  /** Throws the 404 or 405 ApiError for a request no route took; `path` is the part below the route prefix. */
  refuse(request: ApiRequest, path: string): never;
}

export function routeTable(routes: readonly RouteDescription[]): RouteTable {
  const compiled: Array<{ methods: string[]; template: CompiledRoute }> = routes.map((r) => ({
    methods: r.methods.map((m) => m.toUpperCase()),
    template: compileRoute(r.route),
  }));
  const listing = routes.map((r) => `${r.methods.join('|')} /api/${r.route}`).join(', ');
  return {
    refuse(request, path) {
      const normalised = `/${path.replace(/^\/+/, '')}`;
      const allowed = new Set<string>();
      for (const route of compiled) {
        if (route.template.match(normalised)) for (const method of route.methods) allowed.add(method);
      }
      const method = request.method.toUpperCase();
      if (allowed.size > 0 && !allowed.has(method)) {
        const allow = [...allowed].sort().join(', ');
        throw new ApiError(405, 'MethodNotAllowed', `${echo(method, 20)} is not allowed on this route; it takes ${allow}.`, { Allow: allow });
      }
      throw new ApiError(404, 'RouteNotFound', `No route ${echo(`/api${normalised}`)}; the API's routes are ${listing} (docs/http-api.md).`);
    },
  };
}
