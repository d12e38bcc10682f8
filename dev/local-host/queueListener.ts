/**
 * A queue-triggered function, polled like the WebJobs queue listener: batches of `batchSize`, a new batch
 * once no more than `newBatchThreshold` messages are in flight, exponential back-off to `maxPollingInterval`
 * while the queue is empty. Each message stays invisible while its handler runs; success deletes it, failure
 * makes it visible again after `visibilityTimeout`, and the `maxDequeueCount`-th failure moves the original
 * text to `<queue>-poison`. A handler error that `processDied` recognises stands for a host process that died
 * mid-invocation: the message is neither settled nor renewed, so it reappears once its visibility lapses
 * (the chaos suite kills workers this way).
 */
import type { QueueClient, DequeuedMessageItem } from '@azure/storage-queue';
import { trigger } from '@azure/functions';
import type { QueueFunctionSpec } from '../../src/functions/registry';
import { MAX_QUEUE_BATCH, MIN_POLLING_INTERVAL_MS, QueueHostSettings } from './hostJson';
import { invoke } from './invocation';
import type { HostLog } from './logger';
import { sendQueueOutputs } from './outputBindings';
import type { QueueClients } from './queueClients';
import { decodeMessageText, parseMessageBody } from './queueMessageCodec';
import { WakeableDelay } from './wakeableDelay';

export interface QueueListenerDeps {
  queues: QueueClients;
  settings: QueueHostSettings;
  log: HostLog;
  /** How long a received message stays invisible before its lease is renewed (the host uses 10 minutes). */
  messageLeaseSeconds?: number;
  /** True for an error that means the process running the invocation died: nothing is settled. */
  processDied?: (error: unknown) => boolean;
}

export function poisonQueueName(queueName: string): string {
  return `${queueName}-poison`;
}

export class QueueListener {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly delay = new WakeableDelay();
  private readonly leaseSeconds: number;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private pollInterval = MIN_POLLING_INTERVAL_MS;
  /** True when the last receive came back empty and nothing was in flight since. */
  private sawEmpty = false;

  constructor(
    readonly spec: QueueFunctionSpec,
    private readonly deps: QueueListenerDeps,
  ) {
    this.leaseSeconds = deps.messageLeaseSeconds ?? 60;
  }

  async start(): Promise<void> {
    const queue = await this.deps.queues.get(this.spec.queueName);
    await this.deps.queues.get(poisonQueueName(this.spec.queueName));
    this.deps.log('information', 'host', `${this.spec.name}: queue trigger on '${this.spec.queueName}'`);
    this.loop = this.poll(queue);
  }

  /** Poll now instead of waiting out the back-off. */
  wake(): void {
    this.pollInterval = MIN_POLLING_INTERVAL_MS;
    this.delay.wake();
  }

  /** Nothing in flight and the latest receive found no visible message. */
  isIdle(): boolean {
    return this.inFlight.size === 0 && this.sawEmpty;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.delay.wake();
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  private async poll(queue: QueueClient): Promise<void> {
    const { batchSize, newBatchThreshold, maxPollingIntervalMs } = this.deps.settings;
    while (!this.stopped) {
      if (this.inFlight.size > newBatchThreshold) {
        await Promise.race(this.inFlight);
        continue;
      }
      let received: DequeuedMessageItem[];
      try {
        const response = await queue.receiveMessages({
          numberOfMessages: Math.min(batchSize, MAX_QUEUE_BATCH),
          visibilityTimeout: this.leaseSeconds,
        });
        received = response.receivedMessageItems;
      } catch (error) {
        if (this.stopped) break;
        this.deps.log('warning', this.spec.name, `Receiving from '${this.spec.queueName}' failed: ${(error as Error).message}`);
        received = [];
      }
      if (received.length === 0) {
        this.sawEmpty = this.inFlight.size === 0;
        await this.delay.wait(this.pollInterval);
        this.pollInterval = Math.min(this.pollInterval * 2, maxPollingIntervalMs);
        continue;
      }
      this.sawEmpty = false;
      this.pollInterval = MIN_POLLING_INTERVAL_MS;
      for (const message of received) {
        const processing = this.process(queue, message).finally(() => {
          this.inFlight.delete(processing);
          if (this.inFlight.size <= newBatchThreshold) this.delay.wake();
        });
        this.inFlight.add(processing);
      }
    }
  }

  private async process(queue: QueueClient, message: DequeuedMessageItem): Promise<void> {
    const { spec, deps } = this;
    const { maxDequeueCount } = deps.settings;
    const lease = new MessageLease(queue, message, this.leaseSeconds, (error) =>
      deps.log('warning', spec.name, `Renewing the visibility of message ${message.messageId} failed: ${error.message}`),
    );
    try {
      // A message already past the limit (its earlier attempts crashed the process) is not run again.
      if (message.dequeueCount > maxDequeueCount) await this.moveToPoison(queue, message, lease);
      else await this.runAndSettle(queue, message, lease);
    } catch (error) {
      deps.log('error', spec.name, `Settling message ${message.messageId} failed: ${(error as Error).message}`);
    } finally {
      await lease.end();
    }
  }

  private async runAndSettle(queue: QueueClient, message: DequeuedMessageItem, lease: MessageLease): Promise<void> {
    const { spec, deps } = this;
    const { maxDequeueCount } = deps.settings;
    const outcome = await invoke(
      {
        functionName: spec.name,
        reason: `New queue message detected on '${spec.queueName}'.`,
        trigger: trigger.storageQueue({ queueName: spec.queueName, connection: spec.connection }),
        extraOutputs: spec.extraOutputs,
        log: deps.log,
      },
      async (context) => {
        const text = decodeMessageText(message.messageText, deps.settings.messageEncoding);
        context.triggerMetadata = {
          dequeueCount: message.dequeueCount,
          id: message.messageId,
          insertionTime: message.insertedOn.toISOString(),
          expirationTime: message.expiresOn.toISOString(),
          nextVisibleTime: message.nextVisibleOn.toISOString(),
          popReceipt: message.popReceipt,
          queueTrigger: text,
        };
        await spec.handler(parseMessageBody(text), context);
        // An output binding that cannot be written fails the invocation, as on the host.
        await sendQueueOutputs(context, spec.extraOutputs, deps.queues, deps.settings.messageEncoding);
      },
    );
    if (!outcome.succeeded && deps.processDied?.(outcome.error)) {
      await lease.end();
      deps.log('warning', spec.name, `Message ${message.messageId}: the process died; it reappears when its visibility lapses`);
    } else if (outcome.succeeded) {
      await queue.deleteMessage(message.messageId, await lease.end());
    } else if (message.dequeueCount >= maxDequeueCount) {
      await this.moveToPoison(queue, message, lease);
    } else {
      const delaySeconds = Math.round(deps.settings.visibilityTimeoutMs / 1000);
      await queue.updateMessage(message.messageId, await lease.end(), undefined, delaySeconds);
    }
  }

  private async moveToPoison(queue: QueueClient, message: DequeuedMessageItem, lease: MessageLease): Promise<void> {
    const poisonName = poisonQueueName(this.spec.queueName);
    this.deps.log(
      'warning',
      this.spec.name,
      `Message ${message.messageId} has reached MaxDequeueCount of ${this.deps.settings.maxDequeueCount}. Moving message to queue '${poisonName}'.`,
    );
    const poison = await this.deps.queues.get(poisonName);
    await poison.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, await lease.end());
  }
}

/**
 * Keeps one received message invisible while it is processed: renews its visibility at half the lease,
 * tracking the pop receipt every renewal returns; `end()` stops renewing and gives the latest receipt.
 */
class MessageLease {
  private popReceipt: string;
  private renewing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    queue: QueueClient,
    message: DequeuedMessageItem,
    leaseSeconds: number,
    onError: (error: Error) => void,
  ) {
    this.popReceipt = message.popReceipt;
    this.timer = setInterval(() => {
      this.renewing = this.renewing
        .then(() => queue.updateMessage(message.messageId, this.popReceipt, undefined, leaseSeconds))
        .then((response) => {
          if (response.popReceipt) this.popReceipt = response.popReceipt;
        })
        .catch((error: Error) => onError(error));
    }, (leaseSeconds * 1000) / 2);
  }

  async end(): Promise<string> {
    clearInterval(this.timer);
    await this.renewing;
    return this.popReceipt;
  }
}
