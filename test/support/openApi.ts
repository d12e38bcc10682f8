/**
 * docs/openapi.yaml as a contract the tests hold real responses to, with openapi-backend (Ajv underneath): the
 * request's method and path must be a documented operation, the status documented for it (explicitly or as
 * `default`), a JSON body valid against the schema for that status, the content type one the status lists, and the
 * headers the description marks required (Location on a 202, ETag and the security headers on the page) present and
 * valid.
 */
import { join } from 'node:path';
import OpenAPIBackend from 'openapi-backend';
import { SetMatchType } from 'openapi-backend';
import type { Operation } from 'openapi-backend';

export interface RealResponse {
  method: string;
  /** Full URL or path of the request, `/api/...`. */
  url: string;
  status: number;
  /** Response headers, any case. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the text of another body. */
  body?: unknown;
}

interface ResponseObject {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, unknown>;
}

/** RFC 3339 date-time (JSON Schema's `date-time`), a real instant: 2026-11-28T06:00:00Z, …00.123Z, …00+01:00. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/i;

export const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) => {
    const m = DATE_TIME.exec(value);
    if (!m) return false;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    const offsetOk = m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60);
    return realDay && hour < 24 && minute < 60 && second < 60 && offsetOk;
  },
  // An absolute URI (JSON Schema's `uri`): a scheme and what the URL parser accepts.
  uri: (value) => /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value),
};

export class OpenApiContract {
  private constructor(private readonly api: OpenAPIBackend) {}

  static async load(): Promise<OpenApiContract> {
    const api = new OpenAPIBackend({
      definition: join(__dirname, '..', '..', 'docs', 'openapi.yaml'),
      apiRoot: '/api',
      strict: true,
      validate: true,
      // Ajv knows no string formats of its own (it would ignore them with a warning): the description's are checked here.
      customizeAjv: (ajv) => {
        for (const [name, valid] of Object.entries(FORMATS)) ajv.addFormat(name, valid);
        return ajv;
      },
    });
    await api.init();
    return new OpenApiContract(api);
  }

  /** Every documented operation: operationId, method and path. */
  operations(): Array<{ operationId: string; method: string; path: string }> {
    return this.api.router.getOperations().map((op) => ({ operationId: op.operationId as string, method: op.method.toUpperCase(), path: op.path }));
  }

  /** What is wrong with a real response, or nothing. */
  problems(response: RealResponse): string[] {
    let url: URL;
    try {
      url = new URL(response.url, 'http://localhost');
    } catch {
      return this.fallbackProblems(response, `${response.method} ${response.url.slice(0, 80)} → ${response.status}`);
    }
    const where = `${response.method} ${url.pathname} → ${response.status}`;
    let operation: Operation | undefined;
    try {
      operation = this.api.router.matchOperation({ method: response.method.toLowerCase(), path: url.pathname, headers: {}, query: {} }) as Operation | undefined;
    } catch {
      operation = undefined; // a path the router cannot even decode (bad percent-encoding): no operation
    }
    if (!operation) return this.fallbackProblems(response, where);
    const responses = (operation.responses ?? {}) as Record<string, ResponseObject>;
    const key = [String(response.status), `${Math.floor(response.status / 100)}XX`, 'default'].find((k) => responses[k] !== undefined);
    if (!key) return [`${where}: status not documented for ${operation.operationId}`];
    const documented = responses[key];
    const problems: string[] = [];
    const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const mediaTypes = Object.keys(documented.content ?? {});
    if (mediaTypes.length > 0 && !mediaTypes.includes(contentType)) problems.push(`${where}: content type "${contentType}" is not one of ${mediaTypes.join(', ')}`);
    if (mediaTypes.length === 0 && response.body !== undefined && response.body !== '' && response.status !== 302 && response.status !== 304) {
      problems.push(`${where}: a body where the description has none`);
    }
    if (contentType === 'application/json' && response.body !== undefined) {
      const result = this.api.validator.validateResponse(response.body, operation, response.status);
      for (const error of result.errors ?? []) problems.push(`${where}: body${error.instancePath} ${error.message ?? 'is invalid'}`);
    }
    for (const [name, spec] of Object.entries(documented.headers ?? {})) {
      if (spec.required && headers[name.toLowerCase()] === undefined) problems.push(`${where}: required header ${name} missing`);
    }
    const documentedHeaders = Object.fromEntries(Object.keys(documented.headers ?? {}).filter((name) => headers[name.toLowerCase()] !== undefined).map((name) => [name, headers[name.toLowerCase()]]));
    const headerResult = this.api.validator.validateResponseHeaders(documentedHeaders, operation, { statusCode: response.status, setMatchType: SetMatchType.Superset });
    for (const error of headerResult.errors ?? []) problems.push(`${where}: header ${error.instancePath} ${error.message ?? 'is invalid'}`);
    return problems;
  }

  /**
   * A request no operation takes was answered by the catch-all route (404 `RouteNotFound`, 405 `MethodNotAllowed`
   * with `Allow`) or refused before any function ran (a malformed request): either way a documented error code in
   * the Error shape.
   */
  private fallbackProblems(response: RealResponse, where: string): string[] {
    const codes = (this.api.definition.components?.schemas?.Error as { properties: { error: { properties: { code: { enum: string[] } } } } }).properties.error.properties.code.enum;
    if (response.status < 400) return [`${where}: no operation in docs/openapi.yaml`];
    const problems: string[] = [];
    // CONNECT and TRACE never reach a function (the worker cannot represent them): the host refuses them itself.
    const reachesFunctions = !['CONNECT', 'TRACE'].includes(response.method.toUpperCase());
    if (response.status === 405 && reachesFunctions && !Object.keys(response.headers).some((name) => name.toLowerCase() === 'allow')) problems.push(`${where}: 405 without Allow`);
    if (response.method.toUpperCase() === 'HEAD' || response.body === undefined) return problems;
    const error = (response.body as { error?: { code?: unknown; message?: unknown } }).error;
    if (!error || typeof error.code !== 'string' || !codes.includes(error.code) || typeof error.message !== 'string') {
      problems.push(`${where}: not an error of the documented shape and codes`);
    }
    if (response.status === 404 && error?.code !== 'RouteNotFound') problems.push(`${where}: an unrouted 404 must be RouteNotFound`);
    if (response.status === 405 && error?.code !== 'MethodNotAllowed') problems.push(`${where}: a 405 must be MethodNotAllowed`);
    return problems;
  }

  /** Fetches through `fetch` and checks the answer; returns it for the test's own assertions. */
  async call(base: string, path: string, init: RequestInit = {}): Promise<RealResponse & { problems: string[] }> {
    const response = await fetch(`${base}${path}`, { redirect: 'manual', ...init });
    const text = await response.text();
    const headers = Object.fromEntries(response.headers.entries());
    let body: unknown = text;
    if ((headers['content-type'] ?? '').includes('application/json') && text !== '') body = JSON.parse(text) as unknown;
    const real: RealResponse = { method: init.method ?? 'GET', url: path, status: response.status, headers, body: text === '' ? undefined : body };
    return { ...real, problems: this.problems(real) };
  }
}
