/**
 * What the worker does with any error, whatever threw it: a stable code, whether the queue should deliver the message
 * again, whether the planner should re-queue the job later by itself (with growing delays), and a message that says
 * what to do. Graph failures are classified in src/graph/errors.ts; storage and everything else here.
 */
import { classifyGraphError, GraphRequestError, type GraphErrorCode, type GraphErrorContext } from '../graph/errors';
import { errorCodeOf, statusCodeOf } from '../storage/tableErrors';

export type FailureCode = GraphErrorCode | 'StorageUnavailable' | 'StorageAccessDenied' | 'ExportImmutable' | 'InternalError' | 'PoisonMessage';

/** Blob service codes of a write refused by an immutability policy or legal hold on the container. */
const IMMUTABLE_CODES = new Set(['BlobImmutableDueToPolicy', 'BlobImmutableDueToLegalHold', 'ContainerImmutableDueToPolicy']);

export interface ClassifiedFailure {
  code: FailureCode;
  /** Worth another delivery of the queue message now. */
  retryable: boolean;
  message: string;
}

/**
 * Failed jobs with these codes are re-queued by the planner with growing delays (see autoRetryDelayMs), until they
 * succeed or their window passes Entra's retention edge. TenantNotLicensed and PermissionMissing are re-queued when
 * their stream's pause ends instead; OutsideRetention never; GraphError (Graph refused the request itself) and
 * StorageAccessDenied need an operator, and say what to do.
 */
export const AUTO_RETRY_CODES: ReadonlySet<string> = new Set<FailureCode>([
  'Throttled',
  'GraphUnavailable',
  'InvalidSkipToken',
  'StorageUnavailable',
  'InternalError',
  'PoisonMessage',
]);

/** First automatic retry of a failed job, doubled each time up to AUTO_RETRY_MAX_MS. */
export const AUTO_RETRY_FIRST_MS = 15 * 60_000;
export const AUTO_RETRY_MAX_MS = 6 * 3600_000;
/** The cap once the window is within the retention warning period: the last chances come more often. */
export const AUTO_RETRY_NEAR_EDGE_MAX_MS = 3600_000;

export function autoRetryDelayMs(retriesSoFar: number, nearRetentionEdge: boolean): number {
  const cap = nearRetentionEdge ? AUTO_RETRY_NEAR_EDGE_MAX_MS : AUTO_RETRY_MAX_MS;
  return Math.min(cap, AUTO_RETRY_FIRST_MS * 2 ** Math.min(retriesSoFar, 20));
}

const NETWORK_CODES = new Set(['REQUEST_SEND_ERROR', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ESOCKETTIMEDOUT']);

/** A RestError of the Blob, Table or Queue SDK (checked by shape: each package may load its own copy of the class). */
function isStorageError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'RestError' || statusCodeOf(error) !== undefined;
}

export function classifyFailure(error: unknown, context: GraphErrorContext & { jobId: string }): ClassifiedFailure {
  if (error instanceof GraphRequestError) return classifyGraphError(error, context);
  const detail = error instanceof Error ? error.message : String(error);
  if (isStorageError(error)) {
    const status = statusCodeOf(error);
    const code = errorCodeOf(error);
    if (status === 403 || status === 401) {
      return {
        code: 'StorageAccessDenied',
        retryable: false,
        message:
          `Storage refused job ${context.jobId} (HTTP ${status}${code ? ` ${code}` : ''}): ${detail}. Give the function app's managed identity back the roles ` +
          `infra/app/rbac.bicep assigns (the exports writer role on the exports container, Storage Queue Data Contributor on the job queues, ` +
          `Storage Table Data Contributor on the state tables; provisioning again restores them), then re-run the job.`,
      };
    }
    if (status === 409 && code !== undefined && IMMUTABLE_CODES.has(code)) {
      return {
        code: 'ExportImmutable',
        retryable: false,
        message:
          `The exports container's immutability (WORM) policy refused to overwrite a file of job ${context.jobId} (${code}): ${detail}. ` +
          `The files already written stay as they are. Re-run the job: a re-run writes the window as a new revision under new file names.`,
      };
    }
    if (status === undefined || status >= 500 || status === 408 || status === 429 || (code !== undefined && NETWORK_CODES.has(code))) {
      return { code: 'StorageUnavailable', retryable: true, message: `Storage was unavailable for job ${context.jobId}${status ? ` (HTTP ${status})` : ''}: ${detail}. Retried automatically.` };
    }
  }
  return {
    code: 'InternalError',
    retryable: true,
    message: `Job ${context.jobId} failed unexpectedly: ${detail}. Retried automatically; if it keeps failing, the function logs hold the stack trace.`,
  };
}
