/**
 * Recognising the Storage errors the app reacts to. The Azure SDKs throw RestError with `statusCode`; the
 * check is structural because the Table, Blob and Queue packages may each load their own copy of the class.
 */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code (e.g. `EntityAlreadyExists`, `ContainerBeingDeleted`), when the error carries one. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, details } = error as { code?: unknown; details?: unknown };
  if (typeof details === 'object' && details !== null) {
    const detailCode = (details as { errorCode?: unknown }).errorCode;
    if (typeof detailCode === 'string') return detailCode;
  }
  return typeof code === 'string' ? code : undefined;
}

/** 409: the entity, table, container or queue already exists (or is being deleted). Insert-if-absent lost the race. */
export function isConflict(error: unknown): boolean {
  return statusCodeOf(error) === 409;
}

/** 412: the etag no longer matches (`UpdateConditionNotSatisfied`); someone else changed the row first. */
export function isPreconditionFailed(error: unknown): boolean {
  return statusCodeOf(error) === 412;
}

/** 404: the entity, table, blob or queue does not exist. */
export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}
