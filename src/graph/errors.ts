/**
 * What went wrong talking to Graph, in two layers: `GraphRequestError` carries the facts of one failed request
 * (status, Graph's own error code, request id, attempts), and `classifyGraphError` turns those facts into a decision
 * for the worker (retry or not) and a message an administrator can act on.
 */
import type { StreamDefinition } from '../streams/catalog';
import { formatInstant, TICKS_PER_MS, type Ticks } from '../time/instant';

/** Error codes the client itself assigns when there is no Graph error body. */
export type ClientErrorCode = 'NetworkError' | 'Timeout' | 'InvalidResponse' | 'CredentialUnavailable';

export interface GraphRequestErrorInit {
  status: number;
  graphCode: string;
  graphMessage: string;
  requestId?: string;
  url: string;
  retryAfterMs?: number;
  attempts: number;
}

export class GraphRequestError extends Error {
  /** HTTP status, 0 for network errors, timeouts and failures before a response. */
  readonly status: number;
  /** Graph's `error.code` (or the more specific `innerError.code`), or a ClientErrorCode. */
  readonly graphCode: string;
  readonly graphMessage: string;
  readonly requestId?: string;
  readonly url: string;
  readonly retryAfterMs?: number;
  /** Requests sent for this page, retries included. */
  readonly attempts: number;

  constructor(init: GraphRequestErrorInit) {
    const id = init.requestId ? `, request-id ${init.requestId}` : '';
    const status = init.status ? `HTTP ${init.status} ` : '';
    super(`Graph request failed after ${init.attempts} attempt(s): ${status}${init.graphCode}: ${init.graphMessage}${id}`);
    this.name = 'GraphRequestError';
    this.status = init.status;
    this.graphCode = init.graphCode;
    this.graphMessage = init.graphMessage;
    this.requestId = init.requestId;
    this.url = init.url;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts;
  }
}

/** Outer codes that say less than an inner code would (`innerError.code` `"429"` says less than either). */
const GENERIC_GRAPH_CODES = new Set(['badrequest', 'forbidden', 'unauthorized', 'notfound', 'unknownerror', 'generalexception', 'internalservererror', 'serviceunavailable', 'request_badrequest']);

export interface ParsedGraphErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
}

/**
 * Reads Graph's error body `{"error":{"code","message","innerError":{"code"?,"request-id"}}}`. Tolerates anything
 * (HTML from a gateway, empty bodies): what cannot be read is simply absent.
 */
export function parseGraphErrorBody(bodyText: string | null | undefined): ParsedGraphErrorBody {
  if (!bodyText) return {};
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return {};
  }
  const error = field(body, 'error');
  const inner = field(error, 'innerError') ?? field(error, 'innererror');
  const outerCode = stringField(error, 'code');
  const innerCode = stringField(inner, 'code');
  const innerIsMoreSpecific = innerCode !== undefined && !/^\d+$/.test(innerCode) && (outerCode === undefined || GENERIC_GRAPH_CODES.has(outerCode.toLowerCase()));
  return {
    code: innerIsMoreSpecific ? innerCode : (outerCode ?? innerCode),
    message: stringField(error, 'message'),
    requestId: stringField(inner, 'request-id'),
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function stringField(value: unknown, name: string): string | undefined {
  const v = field(value, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export type GraphErrorCode =
  | 'Throttled'
  | 'GraphUnavailable'
  | 'InvalidSkipToken'
  | 'OutsideRetention'
  | 'TenantNotLicensed'
  | 'PermissionMissing'
  | 'GraphError';

export interface ClassifiedGraphError {
  code: GraphErrorCode;
  retryable: boolean;
  message: string;
}

export interface GraphErrorContext {
  stream: StreamDefinition;
  windowStart: Ticks;
  now: Ticks;
  retentionDays: number;
}

/**
 * Graph's minimum-date check is not documented to the second; a window starting this close to the retention edge
 * that gets "Invalid filter clause" is taken to have fallen out of retention, not to have a bad filter.
 */
export const RETENTION_EDGE_MARGIN_MS = 60 * 60 * 1000;

const AUDIT_LOG_READ_ALL_ROLE_ID = 'b0afded3-3588-46d8-8b3d-9842eff778da';
const DIRECTORY_READ_ALL_ROLE_ID = '7ab1d382-f21e-4acd-a863-ba3e13f7da61';
const PERMISSION_CODES = new Set([
  'Authentication_MSGraphPermissionMissing',
  'Authentication_ApplicationHasNoReadAuditLogDataAccess',
  'Authentication_ApplicationHasNoDirectoryReadAccess',
]);
const UNAVAILABLE_STATUSES = new Set([500, 502, 503, 504]);
const DAY_TICKS = 24n * 60n * 60n * 1000n * TICKS_PER_MS;

/**
 * Decides what the worker does with a failed page. `retryable` means "try the window again later from its cursor";
 * the client has already spent its own retries. TenantNotLicensed is retryable because Graph's licence check fails
 * spuriously on licensed tenants; the worker bounds those retries (LICENCE_RETRY_LIMIT).
 */
export function classifyGraphError(error: unknown, context: GraphErrorContext): ClassifiedGraphError {
  const where = `${context.stream.title} (${context.stream.id}) window starting ${formatInstant(context.windowStart)}`;
  if (!(error instanceof GraphRequestError)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { code: 'GraphError', retryable: false, message: `Reading ${where} failed: ${detail}` };
  }
  const graph = `Graph said ${error.status ? `HTTP ${error.status} ` : ''}${error.graphCode}: ${error.graphMessage}${error.requestId ? ` (request-id ${error.requestId})` : ''}`;
  const status = error.status;

  if (status === 429) {
    return { code: 'Throttled', retryable: true, message: `Graph throttled ${where} after ${error.attempts} attempt(s); the window will be retried. ${graph}` };
  }
  if (status === 0 && error.graphCode === 'CredentialUnavailable') {
    return {
      code: 'GraphError',
      retryable: false,
      message: `Could not get a token for Graph while reading ${where}: ${error.graphMessage}. Check that the function app's managed identity exists and that AZURE_CLIENT_ID names it.`,
    };
  }
  if (status === 0 || UNAVAILABLE_STATUSES.has(status)) {
    return { code: 'GraphUnavailable', retryable: true, message: `Graph was unavailable for ${where} after ${error.attempts} attempt(s); the window will be retried. ${graph}` };
  }
  if (status === 400) {
    const text = `${error.graphCode} ${error.graphMessage}`;
    if (/skip\s*token/i.test(text)) {
      return { code: 'InvalidSkipToken', retryable: true, message: `Graph rejected the paging token for ${where}; the window resumes from its checkpoint. ${graph}` };
    }
    if (/invalid filter clause/i.test(text)) {
      const retentionEdge = context.now - BigInt(context.retentionDays) * DAY_TICKS + BigInt(RETENTION_EDGE_MARGIN_MS) * TICKS_PER_MS;
      if (context.windowStart < retentionEdge) {
        return {
          code: 'OutsideRetention',
          retryable: false,
          message: `${where} is older than Entra keeps logs (${context.retentionDays} days, ENTRA_RETENTION_DAYS); Graph no longer returns it. ${graph}`,
        };
      }
      return {
        code: 'GraphError',
        retryable: false,
        message: `Graph rejected the filter for ${where}. If the tenant keeps fewer than ${context.retentionDays} days (Entra ID Free keeps 7), set ENTRA_RETENTION_DAYS accordingly; otherwise check the export's filter. ${graph}`,
      };
    }
  }
  if (status === 403 && error.graphCode === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') {
    return {
      code: 'TenantNotLicensed',
      retryable: true,
      message: `Graph refused ${where} because the tenant lacks the licence it needs: ${context.stream.licenceNote}. Graph sometimes reports this spuriously, so the window is retried a few times. ${graph}`,
    };
  }
  if (status === 401 || (status === 403 && PERMISSION_CODES.has(error.graphCode))) {
    return {
      code: 'PermissionMissing',
      retryable: false,
      message:
        `The exporter's identity may not read ${where}. Grant the Microsoft Graph application permission AuditLog.Read.All ` +
        `(app role ${AUDIT_LOG_READ_ALL_ROLE_ID}) and Directory.Read.All (app role ${DIRECTORY_READ_ALL_ROLE_ID}) to the function app's ` +
        `managed identity, for example with infra/scripts/grant-graph-permissions.sh, then re-run the window. ${graph}`,
    };
  }
  return { code: 'GraphError', retryable: false, message: `Reading ${where} failed. ${graph}` };
}
