/**
 * A TokenCredential for Azurite started with `--oauth basic` (HTTPS). Azurite checks a bearer token's issuer,
 * audience and lifetime but not its signature, so an unsigned JWT lets the local run and the tests take the
 * production path: Entra-authenticated Blob requests and user-delegation SAS links. Never valid against Azure.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';

export interface AzuriteOAuthCredentialOptions {
  tenantId?: string;
  objectId?: string;
  /** Token lifetime; the SDK refreshes before expiry. */
  lifetimeSeconds?: number;
  now?: () => Date;
}

const base64Url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export class AzuriteOAuthCredential implements TokenCredential {
  private readonly tenantId: string;
  private readonly objectId: string;
  private readonly lifetimeSeconds: number;
  private readonly now: () => Date;

  constructor(options: AzuriteOAuthCredentialOptions = {}) {
    this.tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
    this.objectId = options.objectId ?? '0b5d7a2e-3f4c-4d6e-8a9b-1c2d3e4f5a6b';
    this.lifetimeSeconds = options.lifetimeSeconds ?? 3600;
    this.now = options.now ?? (() => new Date());
  }

  async getToken(): Promise<AccessToken> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = issuedAt + this.lifetimeSeconds;
    const payload = {
      aud: 'https://storage.azure.com',
      iss: `https://sts.windows.net/${this.tenantId}/`,
      oid: this.objectId,
      tid: this.tenantId,
      iat: issuedAt,
      nbf: issuedAt - 300,
      exp: expiresAt,
    };
    const token = `${base64Url({ alg: 'none', typ: 'JWT' })}.${base64Url(payload)}.`;
    return { token, expiresOnTimestamp: expiresAt * 1000 };
  }
}
