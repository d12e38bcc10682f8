/**
 * Signed download links: read-only, one blob, HTTPS only (http is allowed only when the endpoint itself is
 * http, i.e. a local Azurite), short-lived, with a Content-Disposition file name. In Azure they are
 * user-delegation SAS (no account key exists); account-key SAS is for Azurite only.
 */
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobSASSignatureValues,
  type UserDelegationKey,
} from '@azure/storage-blob';
import type { StorageClients } from './clients';
import { contentDisposition } from './contentDisposition';

export { contentDisposition } from './contentDisposition';

export interface SignedLink {
  url: string;
  expiresOn: Date;
}

export interface LinkRequest {
  blobName: string;
  downloadName: string;
  contentType?: string;
  expiresInMinutes: number;
}

export interface LinkSigner {
  sign(container: string, request: LinkRequest): Promise<SignedLink>;
}

/** Links start a little in the past so a client whose clock is behind can still use them at once. */
const CLOCK_SKEW_MS = 5 * 60_000;
export const MAX_LINK_MINUTES = 60;
const KEY_LIFETIME_MS = 6 * 60 * 60_000;

function linkWindow(now: Date, request: LinkRequest): { startsOn: Date; expiresOn: Date } {
  const minutes = request.expiresInMinutes;
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_LINK_MINUTES) {
    throw new RangeError(`Link expiry must be more than 0 and at most ${MAX_LINK_MINUTES} minutes, got ${minutes}`);
  }
  return { startsOn: new Date(now.getTime() - CLOCK_SKEW_MS), expiresOn: new Date(now.getTime() + minutes * 60_000) };
}

function sasValues(container: string, request: LinkRequest, blobService: BlobServiceClient, window: { startsOn: Date; expiresOn: Date }): BlobSASSignatureValues {
  return {
    containerName: container,
    blobName: request.blobName,
    permissions: BlobSASPermissions.parse('r'),
    startsOn: window.startsOn,
    expiresOn: window.expiresOn,
    protocol: blobService.url.startsWith('http:') ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
    contentDisposition: contentDisposition(request.downloadName),
    contentType: request.contentType,
  };
}

function linkUrl(blobService: BlobServiceClient, container: string, blobName: string, sas: string): string {
  return `${blobService.getContainerClient(container).getBlobClient(blobName).url}?${sas}`;
}

/**
 * Signs with a user delegation key (the app's Entra identity needs a Storage Blob Data role or Storage Blob
 * Delegator). The key is cached for hours and fetched again before it would expire within a link's lifetime,
 * so no link outlives the key that signed it.
 */
export class UserDelegationLinkSigner implements LinkSigner {
  private readonly now: () => Date;
  private cached?: { key: UserDelegationKey; startsOn: Date; expiresOn: Date };
  private pending?: Promise<UserDelegationKey>;

  constructor(
    private readonly blobService: BlobServiceClient,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async sign(container: string, request: LinkRequest): Promise<SignedLink> {
    const now = this.now();
    const window = linkWindow(now, request);
    const key = await this.keyCovering(now, window);
    const values: BlobSASSignatureValues = { ...sasValues(container, request, this.blobService, window), version: key.signedVersion };
    const sas = generateBlobSASQueryParameters(values, key, this.blobService.accountName).toString();
    return { url: linkUrl(this.blobService, container, request.blobName, sas), expiresOn: window.expiresOn };
  }

  private async keyCovering(now: Date, window: { startsOn: Date; expiresOn: Date }): Promise<UserDelegationKey> {
    const cached = this.cached;
    if (cached && cached.startsOn <= window.startsOn && cached.expiresOn >= window.expiresOn) return cached.key;
    if (!this.pending) {
      const startsOn = new Date(now.getTime() - CLOCK_SKEW_MS);
      const expiresOn = new Date(now.getTime() + KEY_LIFETIME_MS);
      this.pending = this.blobService.getUserDelegationKey(startsOn, expiresOn).then(
        (key) => {
          this.cached = { key, startsOn, expiresOn };
          this.pending = undefined;
          return key;
        },
        (error: unknown) => {
          this.pending = undefined;
          throw error;
        },
      );
    }
    return this.pending;
  }
}

/** Signs with the account key. Only for Azurite: in Azure shared-key access (and so key SAS) is disabled. */
export class AccountKeyLinkSigner implements LinkSigner {
  constructor(
    private readonly blobService: BlobServiceClient,
    private readonly credential: StorageSharedKeyCredential,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sign(container: string, request: LinkRequest): Promise<SignedLink> {
    const window = linkWindow(this.now(), request);
    const sas = generateBlobSASQueryParameters(sasValues(container, request, this.blobService, window), this.credential).toString();
    return { url: linkUrl(this.blobService, container, request.blobName, sas), expiresOn: window.expiresOn };
  }
}

export function createLinkSigner(clients: StorageClients): LinkSigner {
  const credential = clients.blobService.credential;
  if (clients.usesSharedKey && credential instanceof StorageSharedKeyCredential) {
    return new AccountKeyLinkSigner(clients.blobService, credential);
  }
  if (clients.credential) return new UserDelegationLinkSigner(clients.blobService);
  throw new Error('Download links need an Entra credential for Blob storage (user delegation SAS) or, on Azurite, the account key');
}
