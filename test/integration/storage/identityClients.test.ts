import { AzuriteOAuthCredential } from '../../../dev/azuriteCredential';
import { azuriteEndpoints, uniqueName } from '../../support/azurite';
import { createStorageClients } from '../../../src/storage/clients';
import { ensureStorage } from '../../../src/storage/ensureStorage';
import { createLinkSigner, UserDelegationLinkSigner } from '../../../src/storage/links';

describe('createStorageClients with service URIs and an Entra credential', () => {
  it('reaches blob, queue and table with bearer tokens and signs user-delegation links', async () => {
    const endpoints = azuriteEndpoints();
    const clients = createStorageClients(
      { blobServiceUri: endpoints.blob, queueServiceUri: endpoints.queue, tableServiceUri: endpoints.table, credential: 'managedidentity' },
      { credential: new AzuriteOAuthCredential() },
    );
    expect(clients.usesSharedKey).toBe(false);
    expect(clients.credential).toBeInstanceOf(AzuriteOAuthCredential);
    expect(clients.accountName).toBe('devstoreaccount1');

    const names = { container: uniqueName('exports'), tables: [uniqueName('jobs')], queues: [uniqueName('jobs')] };
    await ensureStorage(clients, names);
    const blob = clients.blobService.getContainerClient(names.container).getBlockBlobClient('a.csv');
    await blob.uploadData(Buffer.from('a,b\n'));
    await clients.queueService.getQueueClient(names.queues[0]).sendMessage('m');
    await clients.table(names.tables[0]).createEntity({ partitionKey: 'p', rowKey: 'r', v: 1 });
    expect((await clients.table(names.tables[0]).getEntity('p', 'r')).v).toBe(1);

    const signer = createLinkSigner(clients);
    expect(signer).toBeInstanceOf(UserDelegationLinkSigner);
    const link = await signer.sign(names.container, { blobName: 'a.csv', downloadName: 'a.csv', contentType: 'text/csv', expiresInMinutes: 5 });
    const response = await fetch(link.url);
    expect(await response.text()).toBe('a,b\n');
  });

  it('uses the managed identity when no credential is passed', () => {
    const clients = createStorageClients({
      blobServiceUri: 'https://acct.blob.core.windows.net',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      tableServiceUri: 'https://acct.table.core.windows.net',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(clients.credential?.constructor.name).toBe('ManagedIdentityCredential');
    expect(clients.accountName).toBe('acct');
    expect(clients.table('jobs').url).toBe('https://acct.table.core.windows.net');
  });

  it('refuses settings without a connection string or all service URIs', () => {
    expect(() => createStorageClients({ blobServiceUri: 'https://acct.blob.core.windows.net' })).toThrow(/service URIs/);
  });
});
