/**
 * The Blob, Queue and Table clients the app uses, built from StorageSettings the way the Functions host
 * connects: a connection string for Azurite, otherwise service URIs with a managed identity (no keys).
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { StorageSettings } from '../config';

export interface StorageClients {
  blobService: BlobServiceClient;
  queueService: QueueServiceClient;
  table(name: string): TableClient;
  /** The Entra credential Blob requests use; present exactly when links are user-delegation SAS. */
  credential?: TokenCredential;
  accountName: string;
  /** True when Blob requests are signed with the account key (Azurite only); links are then account-key SAS. */
  usesSharedKey: boolean;
}

/**
 * With a connection string every client uses it. Passing `options.credential` as well switches only Blob to
 * that credential (at the connection string's blob endpoint, which must be https, as bearer tokens are never
 * sent over http): a local run against Azurite in OAuth mode then signs user-delegation links like production.
 * Without a connection string the service URIs are used with `options.credential`, or else the managed
 * identity (user-assigned when `clientId` is set).
 */
export function createStorageClients(settings: StorageSettings, options: { credential?: TokenCredential } = {}): StorageClients {
  if (settings.connectionString) return fromConnectionString(settings.connectionString, options.credential);
  const { blobServiceUri, queueServiceUri, tableServiceUri } = settings;
  if (!blobServiceUri || !queueServiceUri || !tableServiceUri) {
    throw new Error('Storage settings need a connection string or all of the blob, queue and table service URIs');
  }
  const credential =
    options.credential ?? (settings.clientId ? new ManagedIdentityCredential({ clientId: settings.clientId }) : new ManagedIdentityCredential());
  const blobService = new BlobServiceClient(blobServiceUri, credential);
  const tableUri = tableServiceUri.replace(/\/+$/, '');
  return {
    blobService,
    queueService: new QueueServiceClient(queueServiceUri, credential),
    table: (name) => new TableClient(tableUri, name, credential),
    credential,
    accountName: blobService.accountName,
    usesSharedKey: false,
  };
}

function fromConnectionString(connectionString: string, credential: TokenCredential | undefined): StorageClients {
  const keyedBlobService = BlobServiceClient.fromConnectionString(connectionString);
  const blobService = credential ? new BlobServiceClient(keyedBlobService.url, credential) : keyedBlobService;
  const queueService = QueueServiceClient.fromConnectionString(connectionString);
  // data-tables allows http by itself only for UseDevelopmentStorage=true; explicit Azurite endpoints need the flag.
  const allowInsecureConnection = /TableEndpoint=http:/i.test(connectionString) || /DefaultEndpointsProtocol=http;/i.test(connectionString);
  return {
    blobService,
    queueService,
    table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection }),
    credential,
    accountName: keyedBlobService.accountName,
    usesSharedKey: !credential && keyedBlobService.credential instanceof StorageSharedKeyCredential,
  };
}
