/**
 * The job queue as the chaos run sees it: the Functions host's delivery semantics (at-least-once, dequeueCount,
 * redelivery after a crash, poison after maxDequeueCount), plus deliberate duplicate deliveries. Kept in memory so
 * the run controls exactly when a crashed message comes back; the real queue trigger is covered by the local-host
 * tests against Azurite.
 */
import type { JobMessage } from '../../src/export/job';

export interface QueuedMessage {
  id: number;
  body: JobMessage;
  dequeueCount: number;
}

export class ChaosQueue {
  private nextId = 1;
  private readonly visible: QueuedMessage[] = [];
  private inFlight = 0;
  readonly poison: QueuedMessage[] = [];
  stats = { sent: 0, duplicated: 0, delivered: 0, redelivered: 0 };

  constructor(
    private readonly duplicateRate: number,
    private readonly random: () => number,
    readonly maxDequeueCount = 5,
  ) {}

  send(body: JobMessage): void {
    this.stats.sent++;
    this.visible.push({ id: this.nextId++, body, dequeueCount: 0 });
    if (this.random() < this.duplicateRate) {
      this.stats.duplicated++;
      this.visible.push({ id: this.nextId++, body: { ...body }, dequeueCount: 0 });
    }
  }

  /** Takes the next visible message (random order: queues are not strictly FIFO). */
  receive(): QueuedMessage | undefined {
    if (this.visible.length === 0) return undefined;
    const index = Math.floor(this.random() * Math.min(this.visible.length, 8));
    const [message] = this.visible.splice(index, 1);
    message.dequeueCount++;
    this.stats.delivered++;
    this.inFlight++;
    return message;
  }

  complete(_message: QueuedMessage): void {
    this.inFlight--;
  }

  /** The handler failed or the process died: the message becomes visible again, or goes to poison. */
  abandon(message: QueuedMessage): void {
    this.inFlight--;
    if (message.dequeueCount >= this.maxDequeueCount) {
      this.poison.push(message);
      return;
    }
    this.stats.redelivered++;
    this.visible.push(message);
  }

  idle(): boolean {
    return this.visible.length === 0 && this.inFlight === 0;
  }

  get size(): number {
    return this.visible.length;
  }
}
