/**
 * The HTTP shapes the API works with, independent of @azure/functions (the function files translate).
 * Every error is JSON: `{ "error": { "code": "<stable code>", "message": "<what to do>" } }`. Messages never carry
 * a stack, a storage error, the function key or raw caller input beyond a short, sanitised echo (`echo`). An error
 * about one body field also names it in `target`.
 */

export interface ApiRequest {
  method: string;
  url: string;
  query: URLSearchParams;
  params: Record<string, string | undefined>;
  header(name: string): string | null;
  /** The raw request body (empty when there is none). Read it through src/api/requestBody.ts. */
  body(): Promise<Buffer>;
}

export interface ApiResponse {
  status: number;
  jsonBody?: unknown;
  /** A text body (the download page); JSON responses use jsonBody. */
  body?: string;
  headers?: Record<string, string>;
}

export type ApiErrorCode =
  | 'InvalidParameter'
  | 'UnknownParameter'
  | 'DuplicateParameter'
  | 'InvalidBody'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'InvalidJobId'
  | 'ExportNotFound'
  | 'ExportNotFinished'
  | 'FileNotFound'
  | 'RevisionNotFound'
  | 'OutsideRetention'
  | 'RouteNotFound'
  | 'MethodNotAllowed'
  | 'BadRequest'
  | 'Unauthenticated'
  | 'Forbidden'
  | 'InvalidField'
  | 'UnknownField'
  | 'InternalError';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Extra response headers, e.g. `Allow` on a 405. */
    readonly headers: Record<string, string> = {},
    /** The body field at fault (`from`, `formats[1]`, `filters.user`), sent as `error.target`. */
    readonly target?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const NO_STORE = { 'Cache-Control': 'no-store' };

export function errorResponse(status: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}, target?: string): ApiResponse {
  const error = target === undefined ? { code, message } : { code, message, target };
  return { status, jsonBody: { error }, headers: { ...NO_STORE, ...headers } };
}

export function json(status: number, body: unknown): ApiResponse {
  return { status, jsonBody: body, headers: { ...NO_STORE } };
}

/** The message of every unexpected failure: generic, like Azure's; the details go to the log only. */
export const INTERNAL_ERROR_MESSAGE = 'The request failed inside the exporter; the error is logged. Try again, and check the function logs if it persists.';

/** Runs a handler and turns ApiError (and anything unexpected) into the JSON error shape. */
export async function handled(run: () => Promise<ApiResponse>, logError: (message: string) => void): Promise<ApiResponse> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message, error.headers, error.target);
    logError(`Unhandled error in the HTTP API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorResponse(500, 'InternalError', INTERNAL_ERROR_MESSAGE);
  }
}

/**
 * Caller input quoted in a message: at most `max` characters, control and format characters (newlines, bidi
 * overrides, zero-width) replaced, so an echo can neither forge log lines nor hide text. JSON-quoted.
 */
export function echo(value: string, max = 100): string {
  const clean = value.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '\uFFFD');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}
