/**
 * Queue clients of the local host, one per queue name, each created in storage on first use (the Functions
 * host creates trigger, poison and output queues the same way).
 */
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';

export class QueueClients {
  private readonly ready = new Map<string, Promise<QueueClient>>();
  private readonly service: QueueServiceClient;

  /** From a connection string, or from a service client built elsewhere (the chaos suite passes one that fails on purpose). */
  constructor(connection: string | QueueServiceClient) {
    this.service = typeof connection === 'string' ? QueueServiceClient.fromConnectionString(connection) : connection;
  }

  /** The client for `queueName`, after the queue exists. */
  get(queueName: string): Promise<QueueClient> {
    let client = this.ready.get(queueName);
    if (!client) {
      const queue = this.service.getQueueClient(queueName);
      client = queue.createIfNotExists().then(() => queue);
      client.catch(() => this.ready.delete(queueName));
      this.ready.set(queueName, client);
    }
    return client;
  }
}
