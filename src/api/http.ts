/**
 * The HTTP shapes the exports API works with, independent of @azure/functions (the function files translate).
 * Every error is JSON: `{ "error": { "code": "<stable code>", "message": "<what to do>" } }`.
 */

export interface ApiRequest {
  method: string;
  url: string;
  query: URLSearchParams;
  params: Record<string, string | undefined>;
  header(name: string): string | null;
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
  | 'InternalError';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(status: number, code: ApiErrorCode, message: string): ApiResponse {
  return { status, jsonBody: { error: { code, message } }, headers: { 'Cache-Control': 'no-store' } };
}

export function json(status: number, body: unknown): ApiResponse {
  return { status, jsonBody: body, headers: { 'Cache-Control': 'no-store' } };
}

/** Runs a handler and turns ApiError (and anything unexpected) into the JSON error shape. */
export async function handled(run: () => Promise<ApiResponse>, logError: (message: string) => void): Promise<ApiResponse> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message);
    logError(`Unhandled error in the exports API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorResponse(500, 'InternalError', 'The request failed inside the exporter; the error is logged. Try again, and check the function logs if it persists.');
  }
}
