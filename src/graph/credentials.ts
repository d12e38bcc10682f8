/**
 * How the exporter proves who it is to Graph. In Azure: the function app's managed identity (no secrets). Locally:
 * whatever DefaultAzureCredential finds (Azure CLI, environment, workload identity), or, against the Graph simulator,
 * an unsigned token that only the simulator accepts.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type AccessToken, type DefaultAzureCredentialClientIdOptions, type TokenCredential } from '@azure/identity';
import type { AppConfig } from '../config';

/** Used in simulator tokens when no AZURE_CLIENT_ID / AZURE_TENANT_ID is configured. */
export const SIMULATOR_DEFAULT_APP_ID = '00000000-0000-0000-0000-00000000c0de';
export const SIMULATOR_DEFAULT_TENANT_ID = '00000000-0000-0000-0000-0000000e0e1d';

const SIMULATOR_TOKEN_LIFETIME_SECONDS = 3600;

/** The tenant whose logs are read, when known without asking Entra: AZURE_TENANT_ID, or the simulator's tenant. */
export function configuredTenantId(config: AppConfig['graph']): string | undefined {
  return config.tenantId ?? (config.authMode === 'simulator' ? SIMULATOR_DEFAULT_TENANT_ID : undefined);
}

export function createGraphCredential(config: AppConfig['graph']): TokenCredential {
  switch (config.authMode) {
    case 'managedIdentity':
      // Without a client id this is the system-assigned identity.
      return new ManagedIdentityCredential(config.clientId ? { clientId: config.clientId } : {});
    case 'defaultAzureCredential':
      return new DefaultAzureCredential(defaultCredentialOptions(config));
    case 'simulator':
      return new SimulatorCredential({
        staticToken: config.simulatorToken,
        appId: config.clientId ?? SIMULATOR_DEFAULT_APP_ID,
        tenantId: config.tenantId ?? SIMULATOR_DEFAULT_TENANT_ID,
      });
  }
}

/**
 * DefaultAzureCredential signs in at the cloud's own authority (a US Government or China tenant is unknown to
 * login.microsoftonline.com). The Azure CLI credential follows `az cloud set` instead (docs/configuration.md).
 */
export function defaultCredentialOptions(config: AppConfig['graph']): DefaultAzureCredentialClientIdOptions {
  return {
    ...(config.clientId ? { managedIdentityClientId: config.clientId } : {}),
    ...(config.tenantId ? { tenantId: config.tenantId } : {}),
    ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
  };
}

/**
 * The `tid` claim of an access token: the tenant it was issued in, which is the tenant whose logs Graph returns.
 * Read, not verified (Graph verifies the token; this only names the tenant in files and messages).
 */
export function tenantIdOfToken(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' && claims.tid !== '' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}

export interface SimulatorCredentialOptions {
  /** Returned as is when set (GRAPH_SIMULATOR_TOKEN). */
  staticToken?: string;
  appId: string;
  tenantId: string;
  now?: () => number;
}

/**
 * Tokens for the local Graph simulator only: an unsigned JWT (`alg: none`) whose `appid` claim the simulator reads to
 * apply per-app throttling, as real Graph does. Real Graph rejects these tokens, and the client only sends them over
 * plain http when the configuration says `GRAPH_AUTH_MODE=simulator`.
 */
export class SimulatorCredential implements TokenCredential {
  constructor(private readonly options: SimulatorCredentialOptions) {}

  async getToken(): Promise<AccessToken> {
    const nowMs = (this.options.now ?? Date.now)();
    const issuedAt = Math.floor(nowMs / 1000);
    const expiresAt = issuedAt + SIMULATOR_TOKEN_LIFETIME_SECONDS;
    const token = this.options.staticToken ?? unsignedJwt({
      aud: 'https://graph.microsoft.com',
      appid: this.options.appId,
      tid: this.options.tenantId,
      iat: issuedAt,
      exp: expiresAt,
    });
    return { token, expiresOnTimestamp: expiresAt * 1000, tokenType: 'Bearer' };
  }
}

function unsignedJwt(payload: Record<string, string | number>): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}
