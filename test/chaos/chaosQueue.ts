/**
 * The job queue as the chaos run sees it, behind one interface with two drivers:
 *
 * - `MemoryJobQueue` (here): the Functions host's delivery semantics kept in memory (at-least-once, dequeueCount,
 *   redelivery after a crash, poison after maxDequeueCount, not strictly FIFO), plus deliberate duplicate
 *   deliveries. The run controls exactly when a crashed message comes back, and nothing waits on real time.
 * - `AzuriteJobQueue` (azuriteQueue.ts): a real Azurite queue polled by the local host's queue listeners, with
 *   visibility timeouts and faults at every queue call.
 */
import type { JobMessage } from '../../src/export/job';
import type { ChaosWorker } from './chaosWorker';

export interface QueueReport {
  sent: number;
  duplicated: number;
  delivered: number;
  redelivered: number;
  /** Deliveries whose worker was killed. */
  died: number;
  /** Messages moved to the poison queue (every delivery failed). */
  poisoned: number;
  /** Poisoned messages handed to the product's poison handler (recordPoisonedMessage), and those it marked failed. */
  poisonHandled: number;
  poisonRecorded: number;
  /** Poisoned messages still unhandled when the run ended (the handler itself failed on every delivery). */
  poisonLeft: number;
  /** Azurite only: failed visibility renewals, failed deletes or updates, failed receives. */
  renewalFailures?: number;
  settleFailures?: number;
  receiveFailures?: number;
}

/**
 * What the Functions host's poison-queue trigger (`recordPoisonedJob`) runs for one poisoned message: true when it
 * marked the job failed. A throw leaves the message for another delivery, as on the host.
 */
export type PoisonHandler = (message: JobMessage) => Promise<boolean>;

export interface JobQueueDriver {
  readonly name: 'memory' | 'azurite';
  readonly maxDequeueCount: number;
  send(message: JobMessage): Promise<void>;
  /**
   * Delivers until nothing is queued or in flight, or until `due()` (the next planner tick is due: the timer fires
   * whether or not the queue is empty, so a job that never ends cannot stop the clock).
   */
  drain(due: () => boolean): Promise<void>;
  report(): Promise<QueueReport>;
  close(): Promise<void>;
}

interface QueuedMessage {
  id: number;
  body: JobMessage;
  dequeueCount: number;
}

/** How many times a poisoned message is offered to the poison handler before it is left aside (the host's maxDequeueCount). */
const POISON_ATTEMPTS = 5;

export class MemoryJobQueue implements JobQueueDriver {
  readonly name = 'memory';
  private nextId = 1;
  private readonly visible: QueuedMessage[] = [];
  private inFlight = 0;
  private readonly poison: Array<{ body: JobMessage; attempts: number }> = [];
  private readonly poisonAside: JobMessage[] = [];
  private readonly stats = { sent: 0, duplicated: 0, delivered: 0, redelivered: 0, died: 0, poisoned: 0, poisonHandled: 0, poisonRecorded: 0 };
  private worker?: ChaosWorker;

  constructor(
    private readonly duplicateRate: number,
    private readonly random: () => number,
    private readonly concurrency: number,
    private readonly onPoison: PoisonHandler,
    readonly maxDequeueCount = 5,
  ) {}

  attach(worker: ChaosWorker): void {
    this.worker = worker;
  }

  send(body: JobMessage): Promise<void> {
    this.stats.sent++;
    this.visible.push({ id: this.nextId++, body, dequeueCount: 0 });
    if (this.random() < this.duplicateRate) {
      this.stats.duplicated++;
      this.visible.push({ id: this.nextId++, body: { ...body }, dequeueCount: 0 });
    }
    return Promise.resolve();
  }

  async drain(due: () => boolean): Promise<void> {
    const worker = this.worker;
    if (!worker) throw new Error('MemoryJobQueue: attach a worker before draining');
    const loop = async (): Promise<void> => {
      for (;;) {
        if (due()) return;
        if (await this.handlePoison()) continue;
        const message = this.receive();
        if (!message) {
          if (this.visible.length === 0 && this.inFlight === 0 && this.poison.length === 0) return;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        const outcome = await worker.deliver({ body: message.body, dequeueCount: message.dequeueCount, maxDequeueCount: this.maxDequeueCount });
        this.inFlight--;
        if (outcome.kind === 'completed') {
          for (const next of outcome.messages) await this.send(next);
        } else {
          if (outcome.kind === 'died') this.stats.died++;
          this.abandon(message);
        }
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, loop));
  }

  report(): Promise<QueueReport> {
    return Promise.resolve({ ...this.stats, poisonLeft: this.poison.length + this.poisonAside.length });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Takes the next visible message (random order: queues are not strictly FIFO). */
  private receive(): QueuedMessage | undefined {
    if (this.visible.length === 0) return undefined;
    const index = Math.floor(this.random() * Math.min(this.visible.length, 8));
    const [message] = this.visible.splice(index, 1);
    message.dequeueCount++;
    this.stats.delivered++;
    if (message.dequeueCount > 1) this.stats.redelivered++;
    this.inFlight++;
    return message;
  }

  /** The handler failed or the process died: the message becomes visible again, or goes to poison. */
  private abandon(message: QueuedMessage): void {
    if (message.dequeueCount >= this.maxDequeueCount) {
      this.stats.poisoned++;
      this.poison.push({ body: message.body, attempts: 0 });
      return;
    }
    this.visible.push(message);
  }

  /** One poisoned message through the poison handler, if one waits: true if it took one. */
  private async handlePoison(): Promise<boolean> {
    const entry = this.poison.shift();
    if (!entry) return false;
    entry.attempts++;
    try {
      this.stats.poisonHandled++;
      if (await this.onPoison(entry.body)) this.stats.poisonRecorded++;
    } catch {
      if (entry.attempts < POISON_ATTEMPTS) this.poison.push(entry);
      else this.poisonAside.push(entry.body);
    }
    return true;
  }
}
