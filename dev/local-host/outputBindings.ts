/**
 * Queue output bindings after a successful invocation: every `storageQueue` entry of the function's
 * extraOutputs whose value was set becomes one message per element (an array fans out), encoded like
 * the Functions queue extension encodes it. A failed invocation sends nothing, as on the host.
 */
import type { FunctionOutput, InvocationContext } from '@azure/functions';
import type { QueueClients } from './queueClients';
import { encodeMessageText, MessageEncoding, serializeOutputValue } from './queueMessageCodec';

export function isQueueOutput(output: FunctionOutput): output is FunctionOutput & { queueName: string } {
  return output.type === 'queue' && typeof output.queueName === 'string';
}

/** Sends the queue outputs the invocation set; returns how many messages went out. */
export async function sendQueueOutputs(
  context: InvocationContext,
  outputs: readonly FunctionOutput[],
  queues: QueueClients,
  encoding: MessageEncoding,
): Promise<number> {
  let sent = 0;
  for (const output of outputs) {
    if (!isQueueOutput(output)) continue;
    const value = context.extraOutputs.get(output);
    if (value === undefined || value === null) continue;
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) continue;
    const queue = await queues.get(output.queueName);
    for (const item of items) {
      await queue.sendMessage(encodeMessageText(serializeOutputValue(item), encoding));
      sent += 1;
    }
  }
  return sent;
}
