/**
 * The HTTP shapes the exports API works with, independent of @azure/functions (the function files translate).
 * Every error is JSON: `{ "error": { "code": "<stable code>", "message": "<what to do>" } }`, plus `target` naming the
 * field or header at fault when there is one.
 */

export interface ApiRequest {
  method: string;
  url: string;
  query: URLSearchParams;
  params: Record<string, string | undefined>;
  header(name: string): string | null;
  /** The request body as it arrives (POST routes); absent or empty when there is none. */
  body?: () => AsyncIterable<Uint8Array>;
}

export interface ApiResponse {
  status: number;
  jsonBody?: unknown;
  headers?: Record<string, string>;
}

export type ApiErrorCode =
  | 'InvalidParameter'
  | 'UnknownParameter'
  | 'InvalidJobId'
  | 'ExportNotFound'
  | 'ExportNotFinished'
  | 'FileNotFound'
  | 'Unauthenticated'
  | 'Forbidden'
  | 'InvalidContentType'
  | 'BodyTooLarge'
  | 'InvalidBody'
  | 'InvalidField'
  | 'UnknownField'
  | 'InternalError';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** The field, header or parameter at fault (`filters.user`, `Content-Type`), when there is one. */
    readonly target?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(status: number, code: ApiErrorCode, message: string, target?: string): ApiResponse {
  const error = target === undefined ? { code, message } : { code, message, target };
  return { status, jsonBody: { error }, headers: { 'Cache-Control': 'no-store' } };
}

export function json(status: number, body: unknown): ApiResponse {
  return { status, jsonBody: body, headers: { 'Cache-Control': 'no-store' } };
}

/** Runs a handler and turns ApiError (and anything unexpected) into the JSON error shape. */
export async function handled(run: () => Promise<ApiResponse>, logError: (message: string) => void): Promise<ApiResponse> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message, error.target);
    logError(`Unhandled error in the exports API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorResponse(500, 'InternalError', 'The request failed inside the exporter; the error is logged. Try again, and check the function logs if it persists.');
  }
}
