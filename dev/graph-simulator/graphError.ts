/** Graph's error body (reference §4): `{"error":{"code","message","innerError":{date, request-id, client-request-id}}}`. */
import { randomUUID } from 'node:crypto';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly innerCode?: string,
  ) {
    super(message);
  }
}

export const INVALID_FILTER = 'Invalid filter clause';

export function invalidFilter(): GraphError {
  return new GraphError(400, 'BadRequest', INVALID_FILTER);
}

export function queryOptionNotAllowed(option: string): GraphError {
  return new GraphError(
    400,
    'BadRequest',
    `Query option '${option}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
  );
}

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

export function newRequestIds(clientRequestId: string | undefined): RequestIds {
  const requestId = randomUUID();
  return { requestId, clientRequestId: clientRequestId ?? requestId };
}

export function errorBody(error: GraphError, ids: RequestIds, nowMs: number): string {
  const innerError: Record<string, string> = {};
  if (error.innerCode) {
    innerError.code = error.innerCode;
    innerError.message = 'Please retry after';
  }
  innerError.date = new Date(nowMs).toISOString().slice(0, 19);
  innerError['request-id'] = ids.requestId;
  innerError['client-request-id'] = ids.clientRequestId;
  return JSON.stringify({ error: { code: error.code, message: error.message, innerError } });
}
