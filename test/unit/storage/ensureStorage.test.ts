import type { StorageClients } from '../../../src/storage/clients';
import { ensureStorage } from '../../../src/storage/ensureStorage';

/** A 409 shaped like the SDKs' RestError. */
const conflict = (errorCode: string) => Object.assign(new Error(errorCode), { statusCode: 409, code: errorCode });

/** Clients whose create calls answer from a script, to drive the rare Azure races Azurite never produces. */
function scriptedClients(tableAnswers: Array<Error | undefined>): { clients: StorageClients; tableCalls: () => number } {
  let calls = 0;
  const ok = async () => undefined;
  const clients = {
    blobService: { getContainerClient: () => ({ createIfNotExists: ok }) },
    queueService: { getQueueClient: () => ({ createIfNotExists: ok }) },
    table: () => ({
      createTable: async () => {
        const answer = tableAnswers[calls++];
        if (answer) throw answer;
      },
    }),
  } as unknown as StorageClients;
  return { clients, tableCalls: () => calls };
}

describe('ensureStorage', () => {
  const names = { container: 'exports', tables: ['jobs'], queues: ['jobs'] };

  it('waits while a table is being deleted, then creates it', async () => {
    const { clients, tableCalls } = scriptedClients([conflict('TableBeingDeleted'), conflict('TableBeingDeleted'), undefined]);
    const sleeps: number[] = [];
    await ensureStorage(clients, names, { sleep: async (ms) => void sleeps.push(ms) });
    expect(tableCalls()).toBe(3);
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('leaves a resource it may not create to the template (403 under roles scoped to existing resources)', async () => {
    const forbidden = Object.assign(new Error('AuthorizationPermissionMismatch'), { statusCode: 403, code: 'AuthorizationPermissionMismatch' });
    const { clients, tableCalls } = scriptedClients([forbidden]);
    await expect(ensureStorage(clients, names, { sleep: async () => undefined })).resolves.toBeUndefined();
    expect(tableCalls()).toBe(1);
  });

  it('treats "already exists" as success', async () => {
    const { clients } = scriptedClients([conflict('TableAlreadyExists')]);
    await expect(ensureStorage(clients, names, { sleep: async () => undefined })).resolves.toBeUndefined();
  });

  it('gives up with the resource name once the wait is over, and passes other errors through', async () => {
    const deleting = scriptedClients(Array.from({ length: 10 }, () => conflict('TableBeingDeleted')));
    await expect(ensureStorage(deleting.clients, names, { maxWaitMs: 4000, sleep: async () => undefined })).rejects.toThrow(/table jobs: TableBeingDeleted/);
    const unavailable = Object.assign(new Error('ServerBusy'), { statusCode: 503 });
    await expect(ensureStorage(scriptedClients([unavailable]).clients, names)).rejects.toBe(unavailable);
  });
});
