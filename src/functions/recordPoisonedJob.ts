/** Queue trigger on the poison queue: a job whose message was poisoned is marked failed. Logic: src/export/poisonedMessage.ts. */
import { InvocationContext } from '@azure/functions';
import { getRuntime } from '../app/runtime';
import { recordPoisonedMessage } from '../export/poisonedMessage';
import { contextLogger } from './contextLogger';
import { JOBS_POISON_QUEUE_NAME, registerQueue, STORAGE_CONNECTION } from './registry';

export async function recordPoisonedJob(message: unknown, context: InvocationContext): Promise<void> {
  const runtime = getRuntime();
  await runtime.ensureReady();
  await recordPoisonedMessage(message, { ...runtime, log: contextLogger(context) });
}

export const recordPoisonedJobFunction = registerQueue({
  name: 'recordPoisonedJob',
  queueName: JOBS_POISON_QUEUE_NAME,
  connection: STORAGE_CONNECTION,
  extraOutputs: [],
  handler: recordPoisonedJob,
});
