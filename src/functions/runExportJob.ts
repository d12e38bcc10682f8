/** Queue trigger: export one window (or continue one). Logic: src/export/worker.ts. */
import { InvocationContext } from '@azure/functions';
import { MAX_DEQUEUE_COUNT } from '../app/hostSettings';
import { getRuntime } from '../app/runtime';
import { runExportJob as runJob } from '../export/worker';
import { contextLogger } from './contextLogger';
import { JOBS_QUEUE_NAME, jobsQueueOutput, registerQueue, STORAGE_CONNECTION } from './registry';

export async function runExportJob(message: unknown, context: InvocationContext): Promise<void> {
  const runtime = getRuntime();
  await runtime.ensureReady();
  const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
  const result = await runJob(
    { message, invocationId: context.invocationId, dequeueCount, maxDequeueCount: MAX_DEQUEUE_COUNT },
    { ...runtime, log: contextLogger(context) },
  );
  if (result.messages.length > 0) context.extraOutputs.set(jobsQueueOutput, result.messages);
}

export const runExportJobFunction = registerQueue({
  name: 'runExportJob',
  queueName: JOBS_QUEUE_NAME,
  connection: STORAGE_CONNECTION,
  extraOutputs: [jobsQueueOutput],
  handler: runExportJob,
});
