/**
 * Bearer-token handling. The simulator does not verify signatures: the calling app is the `appid` (v1
 * tokens) or `azp` (v2 tokens) claim of a JWT, or a configured static token. Missing or unreadable
 * tokens get Graph's 401 InvalidAuthenticationToken.
 */
import { DEFAULT_TENANT_ID } from './options';
import { GraphError } from './graphError';

export interface Caller {
  appId: string;
  tenantId?: string;
}

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/** An unsigned JWT whose claims name the calling app, for tests and curl. */
export function makeSimulatorToken(appId: string, tenantId: string = DEFAULT_TENANT_ID): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'none' }));
  const issuedAt = Math.floor(Date.now() / 1000);
  const payload = base64url(
    JSON.stringify({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: issuedAt,
      exp: issuedAt + 3600,
      appid: appId,
      tid: tenantId,
      roles: ['AuditLog.Read.All', 'Directory.Read.All'],
    }),
  );
  return `${header}.${payload}.`;
}

export function authenticate(authorization: string | undefined, staticTokens: Record<string, string>): Caller {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) {
    throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  }
  const token = match[1];
  const staticApp = staticTokens[token];
  if (staticApp) return { appId: staticApp };
  const parts = token.split('.');
  if (parts.length < 2) throw new GraphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  }
  if (typeof claims !== 'object' || claims === null) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  const record = claims as Record<string, unknown>;
  const appId = typeof record.appid === 'string' ? record.appid : typeof record.azp === 'string' ? record.azp : undefined;
  if (!appId) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure: no appid or azp claim.');
  return { appId, tenantId: typeof record.tid === 'string' ? record.tid : undefined };
}
