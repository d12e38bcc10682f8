/**
 * Who is calling, and may they? Every route handler calls `authorize(request, role, deps.auth)` first.
 *
 * Trust only what the platform vouches for:
 * - The `x-ms-client-principal` headers are read only when App Service Authentication runs in front of the app
 *   (the platform's `WEBSITE_AUTH_ENABLED`, the same variable the Functions host itself uses to decide). Then the
 *   platform strips whatever a client sent and injects the signed-in caller. Otherwise the headers are ignored,
 *   since anyone with a function key could write any name into them.
 * - With `API_AUTHENTICATION=appService` every route requires a signed-in caller (401) holding the route's app role
 *   (403): `Exports.Read` to read, `Exports.Run` to start work. With `functionKey` (default) the function key is the
 *   only guard, the caller is recorded as `function-key` (or, when the platform does sign callers in, by name).
 * - The client IP is App Service's `client-ip` header, which its front end sets and overwrites; the
 *   client-supplied `X-Forwarded-For` is never read.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ApiAuthSettings } from '../config';
import { ApiError, ApiRequest, echo } from './http';

export type { ApiAuthSettings } from '../config';

/** The app roles of the exporter's API app registration. */
export const APP_ROLES = ['Exports.Read', 'Exports.Run'] as const;
export type AppRole = (typeof APP_ROLES)[number];

export interface Caller {
  /** What the link audit records: a user principal name, an app id, or `function-key`. */
  name: string;
  objectId?: string;
  roles: string[];
  /** How the caller was identified: signed in through App Service Authentication, or only by the function key. */
  authenticatedBy: 'appService' | 'functionKey';
  /** The client address App Service's front end recorded (`client-ip`), when there is one. */
  clientIp?: string;
}

const ROLE_TYPES = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const NAME_TYPES = ['preferred_username', 'upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'name', 'appid', 'azp'];
const OID_TYPES = ['oid', 'http://schemas.microsoft.com/identity/claims/objectidentifier'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A name as Entra issues it: printable, no control or format characters, at most 256 characters. */
const PRINTABLE_NAME = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,256}$/u;
const MAX_PRINCIPAL_HEADER = 64 * 1024;

/** The decoded `x-ms-client-principal` (App Service's shape). Unknown fields are ignored. */
const principalSchema = z.object({
  auth_typ: z.string().max(100).optional(),
  name_typ: z.string().max(1024).optional(),
  role_typ: z.string().max(1024).optional(),
  claims: z.array(z.object({ typ: z.string().min(1).max(1024), val: z.string().max(16 * 1024) })).max(10_000),
});
type ClientPrincipal = z.infer<typeof principalSchema>;

/**
 * Identifies the caller and checks that it may do what needs `role`. Throws ApiError 401 `Unauthenticated` or
 * 403 `Forbidden`; returns the caller to record (link audit, `requestedBy`).
 */
export function authorize(request: ApiRequest, role: AppRole, auth: ApiAuthSettings): Caller {
  const clientIp = platformClientIp(request);
  const keyHolder: Caller = { name: 'function-key', roles: [], authenticatedBy: 'functionKey', clientIp };
  const requireSignIn = auth.authentication === 'appService';
  if (!auth.platformAuthentication) {
    // Defensive: loadConfig refuses appService without the platform, so this is reached only if settings change under us.
    if (requireSignIn) throw new ApiError(401, 'Unauthenticated', 'App Service Authentication is not on for this app, so no caller can be signed in; an administrator must turn it on.');
    return keyHolder;
  }
  const header = request.header('x-ms-client-principal');
  if (!header) {
    if (requireSignIn) {
      throw new ApiError(401, 'Unauthenticated', `Sign in first: this route needs an Entra ID token for the exporter's API and the app role "${role}".`);
    }
    return keyHolder;
  }
  const principal = decodePrincipal(header);
  const caller = callerOf(principal, request, clientIp);
  if (requireSignIn && !caller.roles.includes(role)) {
    throw new ApiError(
      403,
      'Forbidden',
      `${echo(caller.name)} lacks the app role "${role}" this route needs; an administrator assigns it in Entra ID (Enterprise applications, the exporter's API, Users and groups).`,
    );
  }
  return caller;
}

function decodePrincipal(header: string): ClientPrincipal {
  const invalid = () => new ApiError(401, 'Unauthenticated', 'The x-ms-client-principal header is not a valid App Service principal; sign in again.');
  const text = header.trim();
  if (text.length === 0 || text.length > MAX_PRINCIPAL_HEADER || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64')));
  } catch {
    throw invalid();
  }
  const parsed = principalSchema.safeParse(value);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

function callerOf(principal: ClientPrincipal, request: ApiRequest, clientIp: string | undefined): Caller {
  const { claims } = principal;
  const first = (types: string[]) => types.map((t) => claims.find((c) => c.typ === t)?.val).find((v) => v !== undefined && v !== '');
  const nameTypes = principal.name_typ ? [principal.name_typ, ...NAME_TYPES] : NAME_TYPES;
  const roleTypes = principal.role_typ ? [...ROLE_TYPES, principal.role_typ] : ROLE_TYPES;
  const objectId = first(OID_TYPES) ?? request.header('x-ms-client-principal-id') ?? undefined;
  if (objectId !== undefined && !GUID.test(objectId)) {
    throw new ApiError(401, 'Unauthenticated', 'The signed-in principal\'s object id is not a GUID; sign in again.');
  }
  const name = first(nameTypes) ?? request.header('x-ms-client-principal-name') ?? objectId;
  if (name === undefined) throw new ApiError(401, 'Unauthenticated', 'The signed-in principal carries no name or object id; sign in again.');
  if (!PRINTABLE_NAME.test(name)) throw new ApiError(401, 'Unauthenticated', 'The signed-in principal\'s name is not a valid Entra ID name; sign in again.');
  const roles = claims.filter((c) => roleTypes.includes(c.typ) && c.val !== '').map((c) => c.val);
  return { name, objectId: objectId?.toLowerCase(), roles, authenticatedBy: 'appService', clientIp };
}

/**
 * The client address from App Service's `client-ip` header (`203.0.113.7:51234`, `[2001:db8::7]:443`): the front
 * end sets it from the connection and overwrites any value a client sent. Anything else is dropped.
 */
export function platformClientIp(request: ApiRequest): string | undefined {
  const raw = request.header('client-ip')?.trim();
  if (!raw || raw.length > 64) return undefined;
  if (isIP(raw)) return raw;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(raw);
  const withPort = /^([0-9.]+):\d{1,5}$/.exec(raw);
  const host = bracketed?.[1] ?? withPort?.[1];
  return host && isIP(host) ? host : undefined;
}
