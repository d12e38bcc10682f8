/**
 * One invocation of a registered handler, logged the way Core Tools logs it ("Executing ... / Executed ..."),
 * with a fresh InvocationContext whose log calls go to the host log. Errors are caught and reported as a
 * failed outcome, so each trigger decides what a failure means (retry, 500, next tick).
 */
import { randomUUID } from 'node:crypto';
import { FunctionOutput, FunctionTrigger, InvocationContext, TriggerMetadata } from '@azure/functions';
import { describeError, HostLog, invocationLogHandler } from './logger';

export interface InvocationRequest {
  functionName: string;
  /** Why it runs, e.g. "Timer fired", "New queue message detected on 'x'", "This function was programmatically called via the host APIs." */
  reason: string;
  trigger: FunctionTrigger;
  extraOutputs: readonly FunctionOutput[];
  triggerMetadata?: TriggerMetadata;
  log: HostLog;
}

export type InvocationOutcome<T> =
  | { succeeded: true; context: InvocationContext; result: T }
  | { succeeded: false; context: InvocationContext; error: unknown };

export async function invoke<T>(
  request: InvocationRequest,
  body: (context: InvocationContext) => T | Promise<T>,
): Promise<InvocationOutcome<Awaited<T>>> {
  const invocationId = randomUUID();
  const context = new InvocationContext({
    functionName: request.functionName,
    invocationId,
    logHandler: invocationLogHandler(request.log, request.functionName),
    triggerMetadata: request.triggerMetadata,
    options: { trigger: request.trigger, extraOutputs: [...request.extraOutputs] },
  });
  const started = Date.now();
  request.log('information', request.functionName, `Executing 'Functions.${request.functionName}' (Reason='${request.reason}', Id=${invocationId})`);
  try {
    const result = await body(context);
    request.log('information', request.functionName, `Executed 'Functions.${request.functionName}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms)`);
    return { succeeded: true, context, result };
  } catch (error) {
    request.log('error', request.functionName, `Executed 'Functions.${request.functionName}' (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms): ${describeError(error)}`);
    return { succeeded: false, context, error };
  }
}
