import { randomBytes } from 'node:crypto';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { AzuriteOAuthCredential } from '../../../dev/azuriteCredential';
import { azuriteConnectionString, azuriteEndpoints, uniqueName } from '../../support/azurite';
import { AccountKeyLinkSigner, createLinkSigner, UserDelegationLinkSigner, type LinkSigner } from '../../../src/storage/links';
import { createStorageClients } from '../../../src/storage/clients';

const body = randomBytes(4096);
const blobName = 'audit/2026/11/01/audit_20261101T0000Z_20261101T0100Z.jsonl.gz';

describe('signed download links', () => {
  let container: ContainerClient;
  let oauthService: BlobServiceClient;

  beforeAll(async () => {
    container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(uniqueName('links'));
    await container.create();
    await container.getBlockBlobClient(blobName).uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/gzip' } });
    await container.getBlockBlobClient('other.csv').uploadData(Buffer.from('secret'));
    oauthService = new BlobServiceClient(azuriteEndpoints().blob, new AzuriteOAuthCredential());
  });

  const signers: Array<[string, () => LinkSigner]> = [
    ['user delegation (Entra)', () => new UserDelegationLinkSigner(oauthService)],
    ['account key (Azurite)', () => {
      const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
      return new AccountKeyLinkSigner(service, service.credential as StorageSharedKeyCredential);
    }],
  ];

  describe.each(signers)('%s', (_label, makeSigner) => {
    it('downloads the blob with a plain HTTP client, named by Content-Disposition', async () => {
      const link = await makeSigner().sign(container.containerName, {
        blobName,
        downloadName: 'Anmeldungen März.jsonl.gz',
        contentType: 'application/gzip',
        expiresInMinutes: 15,
      });
      const url = new URL(link.url);
      expect(url.protocol).toBe('https:');
      expect(url.searchParams.get('spr')).toBe('https');
      expect(url.searchParams.get('sp')).toBe('r');
      const response = await fetch(link.url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
      expect(response.headers.get('content-type')).toBe('application/gzip');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="Anmeldungen Marz.jsonl.gz"; filename*=UTF-8''Anmeldungen%20M%C3%A4rz.jsonl.gz`,
      );
      expect(link.expiresOn.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    });

    it('refuses a tampered signature, a write, and any other blob', async () => {
      const link = await makeSigner().sign(container.containerName, { blobName, downloadName: 'a.jsonl.gz', expiresInMinutes: 5 });
      const tampered = new URL(link.url);
      const sig = tampered.searchParams.get('sig') as string;
      tampered.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
      expect((await fetch(tampered)).status).toBe(403);

      const write = await fetch(link.url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
      expect(write.status).toBe(403);
      expect(Buffer.from(await container.getBlobClient(blobName).downloadToBuffer())).toEqual(body);

      const otherBlob = new URL(link.url);
      otherBlob.pathname = otherBlob.pathname.replace(blobName, 'other.csv');
      expect((await fetch(otherBlob)).status).toBe(403);
    });

    it('refuses out-of-range lifetimes', async () => {
      const signer = makeSigner();
      await expect(signer.sign(container.containerName, { blobName, downloadName: 'a', expiresInMinutes: 61 })).rejects.toThrow(RangeError);
      await expect(signer.sign(container.containerName, { blobName, downloadName: 'a', expiresInMinutes: 0 })).rejects.toThrow(RangeError);
    });
  });

  it('refuses an expired user-delegation link', async () => {
    const twoHoursAgo = () => new Date(Date.now() - 2 * 60 * 60_000);
    const signer = new UserDelegationLinkSigner(oauthService, { now: twoHoursAgo });
    const link = await signer.sign(container.containerName, { blobName, downloadName: 'a.jsonl.gz', expiresInMinutes: 15 });
    expect(link.expiresOn.getTime()).toBeLessThan(Date.now());
    expect((await fetch(link.url)).status).toBe(403);
  });

  it('refuses an expired account-key link', async () => {
    const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    const signer = new AccountKeyLinkSigner(service, service.credential as StorageSharedKeyCredential, () => new Date(Date.now() - 60 * 60_000));
    const link = await signer.sign(container.containerName, { blobName, downloadName: 'a', expiresInMinutes: 30 });
    expect((await fetch(link.url)).status).toBe(403);
  });

  it('fetches a user delegation key once and reuses it while it covers new links', async () => {
    let clock = Date.now();
    const service = new BlobServiceClient(azuriteEndpoints().blob, new AzuriteOAuthCredential());
    const fetchKey = jest.spyOn(service, 'getUserDelegationKey');
    const signer = new UserDelegationLinkSigner(service, { now: () => new Date(clock) });
    const request = { blobName, downloadName: 'a', expiresInMinutes: 60 };
    await Promise.all([signer.sign(container.containerName, request), signer.sign(container.containerName, request)]);
    clock += 4 * 60 * 60_000;
    await signer.sign(container.containerName, request);
    expect(fetchKey).toHaveBeenCalledTimes(1);
    // Five hours and a bit later a 60-minute link would outlive the six-hour key: a new key is fetched.
    clock += 61 * 60_000;
    const link = await signer.sign(container.containerName, request);
    expect(fetchKey).toHaveBeenCalledTimes(2);
    const [keyStart, keyExpiry] = fetchKey.mock.calls[1] as unknown as [Date, Date];
    expect(keyStart.getTime()).toBeLessThanOrEqual(clock);
    expect(keyExpiry.getTime()).toBeGreaterThanOrEqual(link.expiresOn.getTime());
  });

  it('allows http only when the endpoint itself is http (local Azurite)', async () => {
    const credential = new StorageSharedKeyCredential('devstoreaccount1', 'a2V5');
    const local = new BlobServiceClient('http://127.0.0.1:10000/devstoreaccount1', credential);
    const link = await new AccountKeyLinkSigner(local, credential).sign('exports', { blobName: 'a b.csv', downloadName: 'a', expiresInMinutes: 1 });
    expect(new URL(link.url).searchParams.get('spr')).toBe('https,http');
    expect(new URL(link.url).pathname).toBe('/devstoreaccount1/exports/a%20b.csv');
  });

  it('createLinkSigner picks the signer from how the clients authenticate', async () => {
    const keyed = createStorageClients({ connectionString: azuriteConnectionString() });
    expect(createLinkSigner(keyed)).toBeInstanceOf(AccountKeyLinkSigner);
    const entra = createStorageClients({ connectionString: azuriteConnectionString() }, { credential: new AzuriteOAuthCredential() });
    const signer = createLinkSigner(entra);
    expect(signer).toBeInstanceOf(UserDelegationLinkSigner);
    const link = await signer.sign(container.containerName, { blobName, downloadName: 'a.jsonl.gz', expiresInMinutes: 5 });
    expect((await fetch(link.url)).status).toBe(200);
  });
});
