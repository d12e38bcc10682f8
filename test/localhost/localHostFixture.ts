/** Shared set-up for the local host tests: a host on a free port with the small-limits host.json fixture. */
import { join } from 'node:path';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { FunctionSpec } from '../../src/functions/registry';
import { LocalHost, silentHostLog, startLocalHost } from '../../dev/local-host';
import { azuriteConnectionString } from '../support/azurite';

export const FIXTURE_HOST_JSON = join(__dirname, 'fixtures', 'host.json');

export function startTestHost(specs: FunctionSpec[], extra: { runTimersAtStart?: boolean; messageLeaseSeconds?: number } = {}): Promise<LocalHost> {
  return startLocalHost({
    specs,
    storageConnectionString: azuriteConnectionString(),
    hostJsonPath: FIXTURE_HOST_JSON,
    httpPort: 0,
    log: silentHostLog,
    ...extra,
  });
}

export async function queueClient(name: string): Promise<QueueClient> {
  const queue = QueueServiceClient.fromConnectionString(azuriteConnectionString()).getQueueClient(name);
  await queue.createIfNotExists();
  return queue;
}

/** Every visible message text of a queue (peeked, so they stay where they are). */
export async function peekTexts(name: string): Promise<string[]> {
  const queue = await queueClient(name);
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => m.messageText);
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function fromBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Resolves when `condition` holds, checking every 20 ms (Jest's timeout bounds the wait). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
