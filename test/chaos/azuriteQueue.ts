/**
 * The job queue as the Functions host runs it: a real Azurite queue polled by several queue listeners of the local
 * host (dev/local-host/queueListener.ts), one per simulated instance, each running one message at a time. A
 * message stays invisible while its invocation runs (renewed every half lease); a failed invocation makes it
 * visible again; the fifth failure moves it to the poison queue; continuation messages go out through the queue
 * output binding only when the invocation succeeds.
 *
 * Chaos on top: every queue call of the listeners and of the senders goes through StorageFaults (a failed
 * visibility renewal lets the message reappear while its first invocation still runs, so two workers hold one
 * window; a failed delete delivers a finished job again), each message sent is sent twice at `duplicateRate`,
 * and a killed worker's message is left unsettled, reappearing only when its visibility lapses, as after a
 * host process dies.
 */
import { output } from '@azure/functions';
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { QueueClients } from '../../dev/local-host/queueClients';
import { poisonQueueName, QueueListener } from '../../dev/local-host/queueListener';
import { encodeMessageText } from '../../dev/local-host/queueMessageCodec';
import type { HostLog } from '../../dev/local-host/logger';
import type { JobMessage } from '../../src/export/job';
import type { QueueFunctionSpec } from '../../src/functions/registry';
import type { ChaosWorker } from './chaosWorker';
import type { JobQueueDriver, PoisonHandler, QueueReport } from './chaosQueue';

/** Thrown by the chaos handler when the worker was killed: the listener settles nothing. */
class ProcessDied extends Error {
  constructor() {
    super('the worker process died');
    this.name = 'ProcessDied';
  }
}

export interface AzuriteQueueOptions {
  queueName: string;
  /** The run's queue service, already wrapped by StorageFaults (failures only). */
  faultyService: QueueServiceClient;
  /** The same service unwrapped: the run's own bookkeeping (idle checks, poison count) never fails. */
  plainService: QueueServiceClient;
  worker: ChaosWorker;
  instances: number;
  duplicateRate: number;
  random: () => number;
  /** Visibility of a message while its invocation runs (renewed at half); a dead instance's message returns after it. */
  messageLeaseSeconds: number;
  maxDequeueCount: number;
  /** What the host's poison-queue trigger runs (recordPoisonedJob), on one more listener. */
  onPoison: PoisonHandler;
}

export class AzuriteJobQueue implements JobQueueDriver {
  readonly name = 'azurite';
  readonly maxDequeueCount: number;
  private readonly listeners: QueueListener[];
  private readonly poisonListener: QueueListener;
  private readonly poisonMessages = new Set<string>();
  private readonly queues: QueueClients;
  private readonly stats = { sent: 0, duplicated: 0, delivered: 0, redelivered: 0, died: 0, poisonHandled: 0, poisonRecorded: 0, renewalFailures: 0, settleFailures: 0, receiveFailures: 0 };

  private constructor(private readonly options: AzuriteQueueOptions) {
    this.maxDequeueCount = options.maxDequeueCount;
    this.queues = new QueueClients(duplicating(options.faultyService, options.duplicateRate, options.random, this.stats));
    const jobsOutput = output.storageQueue({ queueName: options.queueName, connection: 'AzureWebJobsStorage' });
    const spec: QueueFunctionSpec = {
      kind: 'queue',
      name: 'runExportJob',
      queueName: options.queueName,
      connection: 'AzureWebJobsStorage',
      extraOutputs: [jobsOutput],
      handler: async (message, context) => {
        const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
        this.stats.delivered++;
        if (dequeueCount > 1) this.stats.redelivered++;
        const outcome = await options.worker.deliver({ body: message, dequeueCount, maxDequeueCount: options.maxDequeueCount });
        if (outcome.kind === 'died') {
          this.stats.died++;
          throw new ProcessDied();
        }
        if (outcome.kind === 'failed') throw outcome.error;
        if (outcome.messages.length > 0) context.extraOutputs.set(jobsOutput, outcome.messages);
      },
    };
    const settings = { batchSize: 1, newBatchThreshold: 0, maxDequeueCount: options.maxDequeueCount, visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, messageEncoding: 'base64' as const };
    this.listeners = Array.from(
      { length: options.instances },
      () => new QueueListener(spec, { queues: this.queues, settings, log: this.hostLog, messageLeaseSeconds: options.messageLeaseSeconds, processDied: (e) => e instanceof ProcessDied }),
    );
    // The host's poison-queue trigger: its own queue calls fail like the others; its failures retry, then poison it again.
    const poisonSpec: QueueFunctionSpec = {
      kind: 'queue',
      name: 'recordPoisonedJob',
      queueName: poisonQueueName(options.queueName),
      connection: 'AzureWebJobsStorage',
      extraOutputs: [],
      handler: async (message, context) => {
        this.poisonMessages.add(String(context.triggerMetadata?.id));
        this.stats.poisonHandled++;
        if (await options.onPoison(message as JobMessage)) this.stats.poisonRecorded++;
      },
    };
    this.poisonListener = new QueueListener(poisonSpec, { queues: this.queues, settings, log: this.hostLog, messageLeaseSeconds: options.messageLeaseSeconds });
  }

  static async start(options: AzuriteQueueOptions): Promise<AzuriteJobQueue> {
    await options.plainService.getQueueClient(options.queueName).createIfNotExists();
    await options.plainService.getQueueClient(poisonQueueName(options.queueName)).createIfNotExists();
    const queue = new AzuriteJobQueue(options);
    for (const listener of [...queue.listeners, queue.poisonListener]) await startWithRetries(listener);
    return queue;
  }

  async send(message: JobMessage): Promise<void> {
    const queue = await this.queues.get(this.options.queueName);
    await queue.sendMessage(encodeMessageText(JSON.stringify(message), 'base64'));
  }

  /**
   * Until the queue holds nothing (invisible messages of dead instances included) and no listener is busy, or the
   * next tick is due; the listeners keep running meanwhile, as on the host.
   */
  async drain(due: () => boolean): Promise<void> {
    const queues = [this.options.queueName, poisonQueueName(this.options.queueName)].map((name) => this.options.plainService.getQueueClient(name));
    const all = [...this.listeners, this.poisonListener];
    const idle = (): boolean => all.every((l) => l.isIdle());
    for (;;) {
      if (due()) return;
      for (const listener of all) listener.wake();
      if (idle() && (await messageCount(queues[0])) === 0 && (await messageCount(queues[1])) === 0 && idle()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async report(): Promise<QueueReport> {
    const left = await messageCount(this.options.plainService.getQueueClient(poisonQueueName(this.options.queueName)));
    const aside = await messageCount(this.options.plainService.getQueueClient(poisonQueueName(poisonQueueName(this.options.queueName))));
    // Poisoned: the distinct messages the poison listener received (the run drains the poison queue like the job queue).
    return { ...this.stats, poisoned: this.poisonMessages.size, poisonLeft: left + aside };
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners, this.poisonListener].map((l) => l.stop()));
  }

  /** The host's warnings about its own queue calls, counted (invocation failures are the worker's to count). */
  private readonly hostLog: HostLog = (_level, _source, message) => {
    if (message.startsWith('Renewing the visibility')) this.stats.renewalFailures++;
    else if (message.startsWith('Settling message')) this.stats.settleFailures++;
    else if (message.startsWith('Receiving from')) this.stats.receiveFailures++;
  };
}

async function messageCount(queue: QueueClient): Promise<number> {
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

/** A listener's start creates its queues through the faulty client: retry until it gets through. */
async function startWithRetries(listener: QueueListener): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listener.start();
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}

/** The queue delivers some messages twice: each send is repeated at `rate`. */
function duplicating(service: QueueServiceClient, rate: number, random: () => number, stats: { sent: number; duplicated: number }): QueueServiceClient {
  return new Proxy(service, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop !== 'getQueueClient' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (name: string) => {
        const queue = (value as (n: string) => QueueClient).call(target, name);
        return new Proxy(queue, {
          get(q, p) {
            const member: unknown = Reflect.get(q, p, q);
            if (p !== 'sendMessage' || typeof member !== 'function') return typeof member === 'function' ? member.bind(q) : member;
            return async (...args: unknown[]) => {
              const sent = await (member as (...a: unknown[]) => Promise<unknown>).apply(q, args);
              stats.sent++;
              if (random() < rate) {
                await (member as (...a: unknown[]) => Promise<unknown>).apply(q, args);
                stats.duplicated++;
              }
              return sent;
            };
          },
        });
      };
    },
  });
}
