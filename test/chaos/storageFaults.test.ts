/** The chaos suite's storage fault wrapper, against Azurite: what each fault kind does to a real call. */
import { createStorageClients } from '../../src/storage/clients';
import { WorkerKilledError } from '../../src/export/worker';
import { azuriteConnectionString, uniqueName } from '../support/azurite';
import { Invocation, StorageFaults, type StorageFaultKind } from './storageFaults';

const base = () => createStorageClients({ connectionString: azuriteConnectionString() } as Parameters<typeof createStorageClients>[0]);

/** A fault injector that serves the given kinds in order, then nothing. */
function scripted(kinds: Array<StorageFaultKind | undefined>): StorageFaults {
  // Draw order: failBefore < fail/2, failAfter < fail, killBefore < fail + kill/2, killAfter < fail + kill.
  const u: Record<StorageFaultKind, number> = { failBefore: 0.1, failAfter: 0.3, killBefore: 0.5, killAfter: 0.7 };
  // A failure draws once more for its error (503, 500 or a timeout).
  const draws = kinds.flatMap((k) => (!k ? [0.99] : k.startsWith('fail') ? [u[k], 0.1] : [u[k]]));
  return new StorageFaults({ fail: 0.4, kill: 0.4 }, () => draws.shift() ?? 0.99);
}

describe('storage faults', () => {
  const tableName = uniqueName('faults');
  beforeAll(async () => {
    await base().table(tableName).createTable();
  });

  it('failBefore changes nothing; failAfter applies the write and still throws', async () => {
    const faults = scripted(['failBefore', 'failAfter']);
    const table = faults.forHost(base()).table(tableName);
    await expect(table.createEntity({ partitionKey: 'p', rowKey: 'before' })).rejects.toMatchObject({ statusCode: expect.any(Number) as number });
    await expect(table.createEntity({ partitionKey: 'p', rowKey: 'after' })).rejects.toThrow(/after storage applied/);
    const plain = base().table(tableName);
    await expect(plain.getEntity('p', 'before')).rejects.toMatchObject({ statusCode: 404 });
    await expect(plain.getEntity('p', 'after')).resolves.toMatchObject({ rowKey: 'after' });
    expect(faults.coverage()).toEqual([{ op: 'table.createEntity', calls: 2, failBefore: 1, failAfter: 1, killBefore: 0, killAfter: 0 }]);
  });

  it('a kill leaves the invocation dead: later calls never reach storage, even if the product caught the first error', async () => {
    const faults = scripted(['killAfter']);
    const invocation = new Invocation('i-1');
    const clients = faults.forInvocation(base(), invocation);
    await expect(clients.table(tableName).createEntity({ partitionKey: 'p', rowKey: 'killed' })).rejects.toBeInstanceOf(WorkerKilledError);
    expect(invocation.dead).toBe(true);
    await expect(clients.table(tableName).createEntity({ partitionKey: 'p', rowKey: 'ghost' })).rejects.toBeInstanceOf(WorkerKilledError);
    const plain = base().table(tableName);
    await expect(plain.getEntity('p', 'killed')).resolves.toMatchObject({ rowKey: 'killed' });
    await expect(plain.getEntity('p', 'ghost')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('reaches blobs through container and blob clients, pages of listings, and the queue service', async () => {
    const faults = scripted([]);
    const clients = faults.forHost(base());
    const container = clients.blobService.getContainerClient(uniqueName('faults'));
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient('a.txt');
    await blob.stageBlock(Buffer.from('AAAA').toString('base64'), Buffer.from('x'), 1);
    await blob.commitBlockList([Buffer.from('AAAA').toString('base64')]);
    expect((await blob.downloadToBuffer()).toString()).toBe('x');
    const rows = [];
    for await (const row of clients.table(tableName).listEntities()) rows.push(row);
    expect(rows.length).toBeGreaterThan(0);
    const queue = clients.queueService.getQueueClient(uniqueName('faults'));
    await queue.createIfNotExists();
    await queue.sendMessage('m');
    expect(faults.coverage().map((c) => c.op)).toEqual([
      'blob.commitBlockList', 'blob.downloadToBuffer', 'blob.stageBlock', 'container.createIfNotExists', 'queue.createIfNotExists', 'queue.sendMessage', 'table.listEntities',
    ]);
    expect(faults.stats.unwrapped).toEqual([]);
  });

  it('forces each fault kind an operation has not met yet on its n-th call, once', async () => {
    const faults = new StorageFaults({ fail: 0, kill: 0 }, () => 0.99, undefined, 3);
    const table = faults.forHost(base()).table(tableName);
    const outcomes: string[] = [];
    for (let n = 0; n < 8; n++) {
      outcomes.push(await table.getEntity('p', 'after').then(() => 'ok', (e: Error) => (/after storage/.test(e.message) ? 'failAfter' : 'failBefore')));
    }
    // Host clients never kill: only the two failure kinds are forced, each once.
    expect(outcomes).toEqual(['ok', 'ok', 'failBefore', 'failAfter', 'ok', 'ok', 'ok', 'ok']);
  });
});
