import { authorize, platformClientIp } from '../../../src/api/callerIdentity';
import { ApiError, ApiRequest } from '../../../src/api/http';
import type { ApiAuthSettings } from '../../../src/config';

const OID = '6f1c1d8e-2b7a-4c55-9d1e-0a3b5c7d9e11';

function request(headers: Record<string, string>): ApiRequest {
  const url = new URL('http://localhost/api/exports');
  return { method: 'GET', url: url.toString(), query: url.searchParams, params: {}, header: (n) => headers[n.toLowerCase()] ?? null, body: async () => Buffer.alloc(0) };
}

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const principal = (claims: unknown[], extra: Record<string, unknown> = {}) => encode({ auth_typ: 'aad', claims, ...extra });
const user = (roles: string[]) => principal([{ typ: 'preferred_username', val: 'ana@contoso.example' }, { typ: 'oid', val: OID }, ...roles.map((val) => ({ typ: 'roles', val }))]);

const keyOnly: ApiAuthSettings = { authentication: 'functionKey', platformAuthentication: false };
const signedIn: ApiAuthSettings = { authentication: 'appService', platformAuthentication: true };
const platformOnly: ApiAuthSettings = { authentication: 'functionKey', platformAuthentication: true };

function refusal(run: () => unknown): { status: number; code: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code };
    throw error;
  }
}

describe('authorize', () => {
  it('ignores principal headers when App Service Authentication is off: any key holder could write them', () => {
    const caller = authorize(request({ 'x-ms-client-principal': user(['Exports.Read', 'Exports.Run']), 'x-ms-client-principal-name': 'mallory' }), 'Exports.Run', keyOnly);
    expect(caller).toEqual({ name: 'function-key', roles: [], authenticatedBy: 'functionKey', clientIp: undefined });
  });

  it('with sign-in required: 401 without a principal, 403 without the route\'s role, the caller with it', () => {
    expect(refusal(() => authorize(request({}), 'Exports.Read', signedIn))).toEqual({ status: 401, code: 'Unauthenticated' });
    expect(refusal(() => authorize(request({ 'x-ms-client-principal': user(['Exports.Read']) }), 'Exports.Run', signedIn))).toEqual({ status: 403, code: 'Forbidden' });
    expect(authorize(request({ 'x-ms-client-principal': user(['Exports.Read']) }), 'Exports.Read', signedIn)).toEqual({
      name: 'ana@contoso.example',
      objectId: OID,
      roles: ['Exports.Read'],
      authenticatedBy: 'appService',
      clientIp: undefined,
    });
  });

  it('reads roles from the principal\'s role_typ too, and app-only callers by their app id', () => {
    const app = principal([{ typ: 'appid', val: '0b5e2a61-1a43-4d3c-9c2e-2f6f4d2a7b10' }, { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Exports.Run' }], {
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
    });
    expect(authorize(request({ 'x-ms-client-principal': app }), 'Exports.Run', signedIn)).toMatchObject({ name: '0b5e2a61-1a43-4d3c-9c2e-2f6f4d2a7b10', roles: ['Exports.Run'] });
  });

  it('records a caller the platform signed in even when roles are not required', () => {
    expect(authorize(request({ 'x-ms-client-principal': user([]) }), 'Exports.Run', platformOnly)).toMatchObject({ name: 'ana@contoso.example', authenticatedBy: 'appService' });
    expect(authorize(request({}), 'Exports.Run', platformOnly)).toMatchObject({ name: 'function-key' });
  });

  it.each([
    ['not base64', '%%%not base64%%%'],
    ['base64 of text', encode('hello')],
    ['null', encode('null')],
    ['an array', encode('[]')],
    ['a number', encode('42')],
    ['claims null', encode({ claims: null })],
    ['no claims', encode({ auth_typ: 'aad' })],
    ['claims: [null]', encode({ claims: [null] })],
    ['a claim without typ', encode({ claims: [{ val: 'x' }] })],
    ['a name claim that is an object', principal([{ typ: 'preferred_username', val: { first: 'a' } }])],
    ['a name claim that is an array', principal([{ typ: 'preferred_username', val: ['a', 'b'] }])],
    ['an object id claim that is an object', principal([{ typ: 'preferred_username', val: 'a@b.example' }, { typ: 'oid', val: { id: 1 } }])],
    ['an object id that is not a GUID', principal([{ typ: 'preferred_username', val: 'a@b.example' }, { typ: 'oid', val: "x' or 1 eq 1" }])],
    ['a name with a newline', principal([{ typ: 'preferred_username', val: 'ana\nadmin' }, { typ: 'oid', val: OID }])],
    ['a name of 300 characters', principal([{ typ: 'preferred_username', val: 'a'.repeat(300) }, { typ: 'oid', val: OID }])],
    ['no name and no object id', principal([{ typ: 'roles', val: 'Exports.Read' }])],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64')],
    ['a role that is a number', principal([{ typ: 'preferred_username', val: 'a@b.example' }, { typ: 'roles', val: 7 }])],
    ['a huge header', 'A'.repeat(70 * 1024)],
  ])('answers 401 for a principal that is %s, never a 500', (_label, header) => {
    for (const auth of [signedIn, platformOnly]) {
      expect(refusal(() => authorize(request({ 'x-ms-client-principal': header }), 'Exports.Read', auth))).toEqual({ status: 401, code: 'Unauthenticated' });
    }
  });
});

describe('platformClientIp', () => {
  it.each([
    ['203.0.113.7:50123', '203.0.113.7'],
    ['203.0.113.7', '203.0.113.7'],
    ['[2001:db8::7]:443', '2001:db8::7'],
    ['2001:db8::7', '2001:db8::7'],
    ['evil.example:80', undefined],
    ['203.0.113.7, 10.0.0.1', undefined],
    ['<script>', undefined],
    ['', undefined],
  ])('reads App Service\'s client-ip %j as %j', (header, ip) => {
    expect(platformClientIp(request({ 'client-ip': header }))).toBe(ip);
  });

  it('never reads X-Forwarded-For, which the client controls', () => {
    expect(platformClientIp(request({ 'x-forwarded-for': '198.51.100.1' }))).toBeUndefined();
  });
});
