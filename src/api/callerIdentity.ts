/**
 * Who is calling. With App Service Authentication on, the platform injects `x-ms-client-principal` (and strips it
 * from outside requests); the API then requires the configured app role. Without it, access is by function key
 * and the caller is recorded as such.
 */
import { ApiError, ApiRequest } from './http';

export interface Caller {
  /** What the link audit records: a user principal name, an app id, or `function-key`. */
  name: string;
  objectId?: string;
  roles: string[];
}

interface ClientPrincipal {
  claims?: Array<{ typ?: string; val?: string }>;
  role_typ?: string;
}

const ROLE_TYPES = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const NAME_TYPES = ['preferred_username', 'upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'name', 'appid', 'azp'];
const OID_TYPES = ['oid', 'http://schemas.microsoft.com/identity/claims/objectidentifier'];

export function identifyCaller(request: ApiRequest, requiredRole: string | undefined): Caller {
  const header = request.header('x-ms-client-principal');
  if (!header) {
    if (requiredRole) {
      throw new ApiError(401, 'Unauthenticated', `Sign in first: this API requires App Service Authentication and the app role "${requiredRole}".`);
    }
    return { name: 'function-key', roles: [] };
  }
  let principal: ClientPrincipal;
  try {
    principal = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ClientPrincipal;
  } catch {
    throw new ApiError(401, 'Unauthenticated', 'The x-ms-client-principal header is not valid base64 JSON.');
  }
  const claims = Array.isArray(principal.claims) ? principal.claims : [];
  const roleTypes = principal.role_typ ? [...ROLE_TYPES, principal.role_typ] : ROLE_TYPES;
  const roles = claims.filter((c) => c.typ && roleTypes.includes(c.typ) && c.val).map((c) => c.val as string);
  const pick = (types: string[]) => types.map((t) => claims.find((c) => c.typ === t)?.val).find(Boolean);
  const caller: Caller = {
    name: pick(NAME_TYPES) ?? request.header('x-ms-client-principal-name') ?? 'unknown principal',
    objectId: pick(OID_TYPES) ?? request.header('x-ms-client-principal-id') ?? undefined,
    roles,
  };
  if (requiredRole && !roles.includes(requiredRole)) {
    throw new ApiError(403, 'Forbidden', `${caller.name} lacks the app role "${requiredRole}"; an administrator can assign it in the app registration's Enterprise application.`);
  }
  return caller;
}
