import { randomBytes } from 'node:crypto';
import { azuriteConnectionString, uniqueName } from '../../support/azurite';
import { createStorageClients } from '../../../src/storage/clients';
import { ensureStorage } from '../../../src/storage/ensureStorage';
import { isConflict, isNotFound, isPreconditionFailed } from '../../../src/storage/tableErrors';
import { clearChunked, readChunked, writeChunked } from '../../../src/storage/chunkedProperty';

const clients = () => createStorageClients({ connectionString: azuriteConnectionString() });

async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('storage clients and table helpers against Azurite', () => {
  it('ensureStorage creates everything and is safe to run concurrently and again', async () => {
    const storage = clients();
    const names = { container: uniqueName('exports'), tables: [uniqueName('jobs'), uniqueName('streams')], queues: [uniqueName('jobs')] };
    await Promise.all([ensureStorage(storage, names), ensureStorage(storage, names)]);
    await ensureStorage(storage, names);
    expect(await storage.blobService.getContainerClient(names.container).exists()).toBe(true);
    expect(await storage.queueService.getQueueClient(names.queues[0]).exists()).toBe(true);
    for (const table of names.tables) {
      await storage.table(table).createEntity({ partitionKey: 'p', rowKey: 'r' });
    }
    expect(storage.usesSharedKey).toBe(true);
    expect(storage.accountName).toBe('devstoreaccount1');
  });

  it('accepts the development storage shorthand', () => {
    const storage = createStorageClients({ connectionString: 'UseDevelopmentStorage=true' });
    expect(storage.accountName).toBe('devstoreaccount1');
    expect(storage.usesSharedKey).toBe(true);
    expect(storage.table('jobs').url).toBe('http://127.0.0.1:10002/devstoreaccount1');
  });

  it('reaches blob, queue and table through the clients', async () => {
    const storage = clients();
    const queue = storage.queueService.getQueueClient(uniqueName('q'));
    await queue.create();
    await queue.sendMessage('hello');
    const received = await queue.receiveMessages();
    expect(received.receivedMessageItems[0]?.messageText).toBe('hello');
    const container = storage.blobService.getContainerClient(uniqueName('c'));
    await container.create();
    await container.getBlockBlobClient('x').uploadData(Buffer.from('blob'));
    expect((await container.getBlobClient('x').downloadToBuffer()).toString()).toBe('blob');
  });

  it('recognises 409, 412 and 404 from Tables', async () => {
    const table = clients().table(uniqueName('errors'));
    await table.createTable();
    const created = await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });

    const conflict = await caught(() => table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 2 }));
    expect([isConflict(conflict), isPreconditionFailed(conflict), isNotFound(conflict)]).toEqual([true, false, false]);

    await table.updateEntity({ partitionKey: 'p', rowKey: 'r', value: 3 }, 'Merge', { etag: created.etag });
    const stale = await caught(() => table.updateEntity({ partitionKey: 'p', rowKey: 'r', value: 4 }, 'Merge', { etag: created.etag }));
    expect([isConflict(stale), isPreconditionFailed(stale), isNotFound(stale)]).toEqual([false, true, false]);

    const missing = await caught(() => table.getEntity('p', 'nope'));
    expect([isConflict(missing), isPreconditionFailed(missing), isNotFound(missing)]).toEqual([false, false, true]);
    expect(isConflict(new Error('plain'))).toBe(false);
  });

  it('stores a 200 KB checkpoint in chunked properties and shrinks it with a Merge', async () => {
    const table = clients().table(uniqueName('chunks'));
    await table.createTable();
    const big = JSON.stringify({ blob: randomBytes(150_000).toString('base64'), name: 'Zürich 😀' });
    await table.createEntity({ partitionKey: 'job', rowKey: '1', ...writeChunked('checkpoint', big) });
    const stored = await table.getEntity<Record<string, unknown>>('job', '1');
    expect(readChunked('checkpoint', stored)).toBe(big);

    const small = JSON.stringify({ cursor: 'x' });
    const smallProps = writeChunked('checkpoint', small);
    await table.updateEntity(
      { partitionKey: 'job', rowKey: '1', ...smallProps, ...clearChunked('checkpoint', stored, Number(smallProps.checkpointCount)) },
      'Merge',
    );
    const shrunk = await table.getEntity<Record<string, unknown>>('job', '1');
    expect(readChunked('checkpoint', shrunk)).toBe(small);
    expect(Object.keys(shrunk).filter((k) => /^checkpoint\d+$/.test(k) && shrunk[k] !== '')).toEqual(['checkpoint0']);
  });
});
