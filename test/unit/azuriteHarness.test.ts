import { BlobServiceClient } from '@azure/storage-blob';
import { TableClient } from '@azure/data-tables';
import { azuriteConnectionString, uniqueName } from '../support/azurite';

describe('test harness', () => {
  it('reaches Azurite blob and table over HTTPS', async () => {
    const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    const container = blobs.getContainerClient(uniqueName('c'));
    await container.create();
    await container.getBlockBlobClient('a.txt').upload('hello', 5);
    const text = (await container.getBlockBlobClient('a.txt').downloadToBuffer()).toString();
    expect(text).toBe('hello');
    const table = TableClient.fromConnectionString(azuriteConnectionString(), uniqueName('t'));
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
    expect((await table.getEntity('p', 'r')).value).toBe(1);
  });
});
