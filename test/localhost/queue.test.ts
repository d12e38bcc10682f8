import { output } from '@azure/functions';
import type { QueueFunctionSpec } from '../../src/functions/registry';
import { silentHostLog, type LocalHost } from '../../dev/local-host';
import { QueueClients } from '../../dev/local-host/queueClients';
import { QueueListener } from '../../dev/local-host/queueListener';
import { azuriteConnectionString, uniqueName } from '../support/azurite';
import { base64, fromBase64, peekTexts, queueClient, startTestHost, until } from './localHostFixture';

function queueSpec(queueName: string, handler: QueueFunctionSpec['handler'], extra: Partial<QueueFunctionSpec> = {}): QueueFunctionSpec {
  return { kind: 'queue', name: 'worker', queueName, connection: 'AzureWebJobsStorage', extraOutputs: [], handler, ...extra };
}

describe('local host: queue functions', () => {
  let host: LocalHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it('hands the handler parsed JSON (or the text) with the trigger metadata, then deletes the message', async () => {
    const name = uniqueName('jobs');
    const received: { item: unknown; metadata: Record<string, unknown> | undefined }[] = [];
    host = await startTestHost([
      queueSpec(name, (item, context) => {
        received.push({ item, metadata: context.triggerMetadata });
      }),
    ]);
    const queue = await queueClient(name);
    const sent = await queue.sendMessage(base64(JSON.stringify({ stream: 'audit', window: 7 })));
    await queue.sendMessage(base64('plain text'));
    await host.drainQueues();

    expect(received.map((r) => r.item)).toEqual(expect.arrayContaining([{ stream: 'audit', window: 7 }, 'plain text']));
    const json = received.find((r) => typeof r.item === 'object');
    expect(json?.metadata).toMatchObject({
      dequeueCount: 1,
      id: sent.messageId,
      insertionTime: sent.insertedOn.toISOString(),
      expirationTime: sent.expiresOn.toISOString(),
      queueTrigger: JSON.stringify({ stream: 'audit', window: 7 }),
    });
    expect(typeof json?.metadata?.nextVisibleTime).toBe('string');
    expect(typeof json?.metadata?.popReceipt).toBe('string');
    expect(await peekTexts(name)).toEqual([]);
  });

  it('sends queue outputs of a successful invocation, one base64 message per element', async () => {
    const name = uniqueName('in');
    const outName = uniqueName('out');
    const next = output.storageQueue({ queueName: outName, connection: 'AzureWebJobsStorage' });
    host = await startTestHost([
      queueSpec(
        name,
        (item, context) => {
          context.extraOutputs.set(next, [{ from: item }, 'second']);
        },
        { extraOutputs: [next] },
      ),
    ]);
    await (await queueClient(name)).sendMessage(base64('"hello"'));
    await host.drainQueues();
    expect((await peekTexts(outName)).map(fromBase64)).toEqual([JSON.stringify({ from: 'hello' }), 'second']);
  });

  it('retries a failing message and moves its original text to the poison queue after maxDequeueCount', async () => {
    const name = uniqueName('failing');
    const outName = uniqueName('never');
    const next = output.storageQueue({ queueName: outName, connection: 'AzureWebJobsStorage' });
    const dequeueCounts: unknown[] = [];
    host = await startTestHost([
      queueSpec(
        name,
        (_item, context) => {
          dequeueCounts.push(context.triggerMetadata?.dequeueCount);
          context.extraOutputs.set(next, { never: true });
          throw new Error('handler failed');
        },
        { extraOutputs: [next] },
      ),
    ]);
    const original = base64(JSON.stringify({ job: 'poisoned' }));
    await (await queueClient(name)).sendMessage(original);
    await host.drainQueues();

    // host.json fixture: maxDequeueCount 3.
    expect(dequeueCounts).toEqual([1, 2, 3]);
    expect(await peekTexts(`${name}-poison`)).toEqual([original]);
    expect(await peekTexts(name)).toEqual([]);
    expect(await peekTexts(outName)).toEqual([]);
  });

  it('poisons a message that is not valid base64 without losing it', async () => {
    const name = uniqueName('badenc');
    let calls = 0;
    host = await startTestHost([queueSpec(name, () => void (calls += 1))]);
    await (await queueClient(name)).sendMessage('{not base64}');
    await host.drainQueues();
    expect(calls).toBe(0);
    expect(await peekTexts(`${name}-poison`)).toEqual(['{not base64}']);
  });

  it('keeps at most batchSize + newBatchThreshold messages in flight, fetching a new batch at the threshold', async () => {
    const name = uniqueName('batch');
    const waiting: (() => void)[] = [];
    let active = 0;
    let maxActive = 0;
    let done = 0;
    let releaseAll = false;
    // All messages are waiting before the host starts, so the first receive gets a full batch.
    const queue = await queueClient(name);
    for (let i = 0; i < 6; i++) await queue.sendMessage(base64(JSON.stringify({ i })));
    host = await startTestHost([
      queueSpec(name, async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        if (!releaseAll) await new Promise<void>((resolve) => waiting.push(resolve));
        active -= 1;
        done += 1;
      }),
    ]);

    // host.json fixture: batchSize 2, newBatchThreshold 1 -> a first batch of 2 runs together ...
    await until(() => active === 2);
    // ... and once one finishes (1 in flight <= threshold) the next batch of 2 joins: 3 at once.
    waiting.shift()?.();
    await until(() => active === 3);
    releaseAll = true;
    for (const release of waiting.splice(0)) release();
    await host.drainQueues();
    expect(done).toBe(6);
    expect(maxActive).toBe(3);
  });

  it('keeps a message invisible while a handler runs longer than the visibility lease', async () => {
    const name = uniqueName('slow');
    const dequeueCounts: unknown[] = [];
    host = await startTestHost(
      [
        queueSpec(name, async (_item, context) => {
          dequeueCounts.push(context.triggerMetadata?.dequeueCount);
          // Several 1 s leases: without renewals the message would reappear and run again.
          await new Promise((resolve) => setTimeout(resolve, 2500));
        }),
      ],
      { messageLeaseSeconds: 1 },
    );
    await (await queueClient(name)).sendMessage(base64('{"slow":true}'));
    await until(() => dequeueCounts.length === 1);
    await host.drainQueues();
    expect(dequeueCounts).toEqual([1]);
    expect(await peekTexts(name)).toEqual([]);
  });

  it('leaves the message of a process that died unsettled: it returns once its visibility lapses, dequeued again', async () => {
    const name = uniqueName('died');
    class ProcessDied extends Error {}
    const seen: Array<{ dequeueCount: unknown; at: number }> = [];
    const listener = new QueueListener(
      queueSpec(name, (_item, context) => {
        seen.push({ dequeueCount: context.triggerMetadata?.dequeueCount, at: Date.now() });
        if (seen.length === 1) throw new ProcessDied();
      }),
      {
        queues: new QueueClients(azuriteConnectionString()),
        settings: { batchSize: 1, newBatchThreshold: 0, maxDequeueCount: 5, visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, messageEncoding: 'base64' },
        log: silentHostLog,
        messageLeaseSeconds: 2,
        processDied: (error) => error instanceof ProcessDied,
      },
    );
    await listener.start();
    try {
      await (await queueClient(name)).sendMessage(base64('{"job":1}'));
      await until(() => seen.length === 2);
      // Not made visible at once (visibilityTimeout 0 would have): back only after the 2 s lease of the dead invocation.
      expect(seen.map((s) => s.dequeueCount)).toEqual([1, 2]);
      expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(1500);
      await until(() => listener.isIdle());
      expect(await peekTexts(name)).toEqual([]);
      expect(await peekTexts(`${name}-poison`)).toEqual([]);
    } finally {
      await listener.stop();
    }
  });
});
