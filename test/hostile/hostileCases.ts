/**
 * The hostile requests, grouped by what they attack. Each names the one answer it must get: a 4xx status and the
 * stable error code. Targets are sent byte for byte (test/hostile/rawHttp.ts), so traversal and encodings reach
 * the host as a client would send them; the host normalises dot segments as Azure's front end does.
 */
import type { ApiErrorCode } from '../../src/api/http';
import type { RawRequest } from './rawHttp';

export type AuthMode = 'keyOnly' | 'signedIn' | 'platformOnly';

export interface HostileCase {
  group: string;
  name: string;
  request: RawRequest;
  status: number;
  code: ApiErrorCode;
  /** Expected `Allow` header (405). */
  allow?: string;
  /** How the app is configured while this case runs (default keyOnly: function keys, no App Service Authentication). */
  mode?: AuthMode;
}

export interface CaseContext {
  /** A finished export with files. */
  done: string;
  /** A file key of `done`. */
  fileKey: string;
  /** An export still queued. */
  queued: string;
  /** A well-formed id no export has. */
  missing: string;
  /** A finished export whose window starts before Entra's retention edge. */
  old: string;
}

const json = (body: unknown): Pick<RawRequest, 'headers' | 'body'> => ({ headers: [['Content-Type', 'application/json']], body: JSON.stringify(body) });
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export const ROLE_READ = 'Exports.Read';
export const ROLE_RUN = 'Exports.Run';
const OID = '6f1c1d8e-2b7a-4c55-9d1e-0a3b5c7d9e11';
export const principalWith = (roles: string[]) =>
  b64({ auth_typ: 'aad', claims: [{ typ: 'preferred_username', val: 'ana@contoso.example' }, { typ: 'oid', val: OID }, ...roles.map((val) => ({ typ: 'roles', val }))] });

export function hostileCases(ctx: CaseContext): HostileCase[] {
  const { done, fileKey, queued, missing, old } = ctx;
  const cases: HostileCase[] = [];
  const add = (group: string, name: string, request: RawRequest, status: number, code: ApiErrorCode, extra: Partial<HostileCase> = {}) =>
    cases.push({ group, name, request, status, code, ...extra });
  const get = (target: string, more: Partial<RawRequest> = {}): RawRequest => ({ method: 'GET', target, ...more });
  const post = (target: string, more: Partial<RawRequest> = {}): RawRequest => ({ method: 'POST', target, ...more });

  // ---------- export ids ----------
  const badIds: Array<[string, string]> = [
    ['OData quote injection', "audit'%20or%20'1'%20eq%20'1"],
    ['OData filter fragment', 'audit-20261127T1000Z%20or%20PartitionKey%20ne%20%27%27'],
    ['impossible month', 'audit-20261327T1000Z'],
    ['impossible day', 'audit-20260230T1000Z'],
    ['impossible hour', 'audit-20261127T2500Z'],
    ['unknown stream', 'nope-20261127T1000Z'],
    ['stream in capitals', 'AUDIT-20261127T1000Z'],
    ['fullwidth digits', 'audit-%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96%EF%BC%91%EF%BC%91%EF%BC%92%EF%BC%97T1000Z'],
    ['trailing NUL', 'audit-20261127T1000Z%00'],
    ['ad-hoc id without suffix', 'adhoc-audit-20261127T1000Z'],
    ['suffix on a scheduled id', 'audit-20261127T1000Z-abcdef'],
    ['5000 characters', 'a'.repeat(5000)],
    ['script tag', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['invalid percent-encoding', '%E0%A4%A'],
    ['overlong UTF-8', '%C0%AE%C0%AE'],
    ['right-to-left override', 'audit-%E2%80%AE20261127T1000Z'],
    ['emoji', '%F0%9F%92%A9'],
    ['encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['encoded backslash traversal', '..%5C..%5Cwindows%5Cwin.ini'],
    ['double-encoded traversal', '%252e%252e%252fetc'],
    ['CRLF', 'audit%0D%0ASet-Cookie:%20x=1'],
    ['table key characters', 'audit%23x%3Fy%2Fz'],
  ];
  for (const [name, id] of badIds) {
    add('export ids', `show: ${name}`, get(`/api/exports/${id}`), 400, 'InvalidJobId');
  }
  for (const [name, id] of badIds.slice(0, 6)) {
    add('export ids', `download: ${name}`, get(`/api/exports/${id}/files/csv`), 400, 'InvalidJobId');
    add('export ids', `rerun: ${name}`, post(`/api/exports/${id}/rerun`), 400, 'InvalidJobId');
  }
  add('export ids', 'show: well-formed but absent', get(`/api/exports/${missing}`), 404, 'ExportNotFound');
  add('export ids', 'download: well-formed but absent', get(`/api/exports/${missing}/files/csv`), 404, 'ExportNotFound');
  add('export ids', 'rerun: well-formed but absent', post(`/api/exports/${missing}/rerun`), 404, 'ExportNotFound');
  add('export ids', 'download: export still queued', get(`/api/exports/${queued}/files/csv`), 409, 'ExportNotFinished');
  add('export ids', 'rerun: export still queued', post(`/api/exports/${queued}/rerun`), 409, 'ExportNotFinished');
  add('export ids', 'rerun: window beyond retention', post(`/api/exports/${old}/rerun`), 409, 'OutsideRetention');

  // ---------- file keys ----------
  const badKeys: Array<[string, string]> = [
    ['unknown format', 'xml'],
    ['key in capitals', fileKey.toUpperCase()],
    ['key with NUL', `${fileKey}%00`],
    ['key with extension', `${fileKey}.exe`],
    ['shell metacharacters', `${fileKey}%3Brm%20-rf%20%2F`],
    ['OData quote', `${fileKey}'%20or%201%20eq%201`],
    ['script tag', '%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E'],
    ['300 characters', 'k'.repeat(300)],
    ['emoji', '%F0%9F%92%A9'],
    ['invalid percent-encoding', '%zz'],
    ['encoded slash traversal', '..%2F..%2F..%2Fetc%2Fpasswd'],
    ['encoded backslash traversal', '..%5C..%5Cmanifest'],
    ['double-encoded traversal', '%252e%252e%252fmanifest'],
    ['overlong UTF-8 traversal', '%C0%AE%C0%AE%C0%AFmanifest'],
    ['UTF-8 slash lookalike', '..%EF%BC%8F..%EF%BC%8Fmanifest'],
    ['fullwidth dots', '%EF%BC%8E%EF%BC%8E'],
    ['IIS unicode escape', '%u002e%u002e%u2215manifest'],
    ['blob name', 'audit%2F2026%2F11%2F27%2Faudit.csv'],
    ['manifest with suffix', 'manifest.json'],
  ];
  for (const [name, key] of badKeys) {
    add('file keys', name, get(`/api/exports/${done}/files/${key}`), 404, 'FileNotFound');
  }
  // Dot segments (plain, percent-encoded, backslash) are resolved by the host before routing, as Azure's front end does.
  add('traversal', 'plain dot segments out of files/', get(`/api/exports/${done}/files/../../../../etc/passwd`), 404, 'RouteNotFound');
  add('traversal', 'dot segments onto another route', get(`/api/exports/${done}/files/../../x`), 400, 'InvalidJobId');
  add('traversal', 'percent-encoded dot segments', get(`/api/exports/${done}/files/%2e%2e/%2e%2e/x`), 400, 'InvalidJobId');
  add('traversal', 'mixed-case encoded dot segments', get(`/api/exports/${done}/files/%2E./.%2E/x`), 400, 'InvalidJobId');
  add('traversal', 'backslash dot segments', get(`/api/exports/${done}/files/..\\..\\x`), 400, 'InvalidJobId');
  add('traversal', 'dot segments above the API', get('/api/exports/%2e%2e'), 404, 'RouteNotFound');
  add('traversal', 'semicolon dot segment', get(`/api/exports/${done}/files/..;/x`), 404, 'RouteNotFound');
  add('traversal', 'doubled dots and slashes', get(`/api/exports/${done}/files/....//x`), 404, 'RouteNotFound');
  add('traversal', 'empty file key', get(`/api/exports/${done}/files/`), 404, 'RouteNotFound');
  add('traversal', 'extra segment after the key', get(`/api/exports/${done}/files/${fileKey}/x`), 404, 'RouteNotFound');

  // ---------- query strings: OData injection, dates, numbers, repeats, unknowns, cursors ----------
  const list = (query: string) => get(`/api/exports?${query}`);
  const invalidList: Array<[string, string]> = [
    ['stream OData injection', "stream=audit'%20or%201%20eq%201%20or%20stream%20eq%20'"],
    ['status OData injection', 'status=succeeded)%20or%20(true'],
    ['kind OData injection', "kind=adhoc'%20or%20''%3D'"],
    ['from OData injection', "from=2026-11-27T00:00:00Z'%20or%20PartitionKey%20ne%20'"],
    ['stream in capitals', 'stream=AUDIT'],
    ['status with NUL', 'status=succeeded%00'],
    ['from month 13', 'from=2026-13-01'],
    ['from 30 February', 'from=2026-02-30'],
    ['from 29 February of a common year', 'from=2025-02-29T00:00:00Z'],
    ['from hour 25', 'from=2026-11-27T25:00:00Z'],
    ['from minute 60', 'from=2026-11-27T10:60:00Z'],
    ['from offset +25:00', 'from=2026-11-27T10:00:00%2B25:00'],
    ['from without a zone', 'from=2026-11-27T10:00:00'],
    ['from as words', 'from=yesterday'],
    ['from as epoch seconds', 'from=1764237600'],
    ['to zero date', 'to=0000-00-00'],
    ['from after to', 'from=2026-11-28&to=2026-11-27'],
    ['from equal to', 'from=2026-11-27&to=2026-11-27'],
    ['limit 0', 'limit=0'],
    ['limit 201', 'limit=201'],
    ['limit negative', 'limit=-1'],
    ['limit exponent', 'limit=1e2'],
    ['limit hexadecimal', 'limit=0x10'],
    ['limit fraction', 'limit=5.5'],
    ['limit empty', 'limit='],
    ['limit huge', 'limit=99999999999999999999'],
    ['limit with spaces', 'limit=%2010'],
    ['limit invalid percent-encoding', 'limit=%zz'],
    ['cursor garbage', 'cursor=garbage'],
    ['cursor null', `cursor=${b64url('null')}`],
    ['cursor array', `cursor=${b64url([])}`],
    ['cursor number', `cursor=${b64url(42)}`],
    ['cursor without partition', `cursor=${b64url({ nextRowKey: 'x' })}`],
    ['cursor with object partition', `cursor=${b64url({ nextPartitionKey: { $ne: '' } })}`],
    ['cursor with extra field', `cursor=${b64url({ nextPartitionKey: 'jobs', admin: true })}`],
    ['cursor with slash in key', `cursor=${b64url({ nextPartitionKey: 'jobs', nextRowKey: 'a/b' })}`],
    ['cursor with control character', `cursor=${b64url({ nextPartitionKey: 'jobs', nextRowKey: 'a\u0001' })}`],
    ['cursor in standard base64 with padding', 'cursor=eyJ4Ijoi%2B%2F%3D%3D'],
    ['cursor of 5000 characters', `cursor=${'A'.repeat(5000)}`],
    ['cursor empty', 'cursor='],
    ['cursor of invalid UTF-8', `cursor=${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url')}`],
  ];
  for (const [name, query] of invalidList) add('query', `list: ${name}`, list(query), 400, 'InvalidParameter');
  const repeated: Array<[string, string]> = [
    ['stream twice', 'stream=audit&stream=provisioning'],
    ['same stream twice', 'stream=audit&stream=audit'],
    ['limit twice', 'limit=1&limit=200'],
    ['from twice', 'from=2026-11-27&from=2020-01-01'],
    ['cursor twice', 'cursor=abc&cursor=def'],
  ];
  for (const [name, query] of repeated) add('query', `list: ${name}`, list(query), 400, 'DuplicateParameter');
  const unknown: Array<[string, string]> = [
    ['$filter', '$filter=PartitionKey%20ne%20%27%27'],
    ['$top', '$top=1000'],
    ['sort', 'sort=asc'],
    ['__proto__', '__proto__[admin]=1'],
    ['constructor', 'constructor=1'],
    ['parameter in capitals', 'Stream=audit'],
    ['NUL in the name', 'str%00eam=audit'],
    ['empty name', '=x'],
    ['array syntax', 'stream[]=audit'],
  ];
  for (const [name, query] of unknown) add('query', `list: unknown ${name}`, list(query), 400, 'UnknownParameter');
  add('query', 'show: expiresInMinutes 0', get(`/api/exports/${done}?expiresInMinutes=0`), 400, 'InvalidParameter');
  add('query', 'show: expiresInMinutes 61', get(`/api/exports/${done}?expiresInMinutes=61`), 400, 'InvalidParameter');
  add('query', 'show: expiresInMinutes exponent', get(`/api/exports/${done}?expiresInMinutes=1e1`), 400, 'InvalidParameter');
  add('query', 'show: expiresInMinutes twice', get(`/api/exports/${done}?expiresInMinutes=5&expiresInMinutes=60`), 400, 'DuplicateParameter');
  add('query', 'show: unknown parameter', get(`/api/exports/${done}?download=1`), 400, 'UnknownParameter');
  add('query', 'download: expiresInMinutes negative', get(`/api/exports/${done}/files/${fileKey}?expiresInMinutes=-5`), 400, 'InvalidParameter');
  add('query', 'download: expiresInMinutes words', get(`/api/exports/${done}/files/${fileKey}?expiresInMinutes=forever`), 400, 'InvalidParameter');
  const download = (query: string) => get(`/api/exports/${done}/files/${fileKey}?${query}`);
  const badRevisions: Array<[string, string]> = [
    ['revision 0', 'revision=0'],
    ['revision negative', 'revision=-1'],
    ['revision as a word', 'revision=latest'],
    ['revision fraction', 'revision=1.5'],
    ['revision exponent', 'revision=1e0'],
    ['revision empty', 'revision='],
    ['revision OData injection', "revision=1'%20or%20'1'%20eq%20'1"],
  ];
  for (const [name, query] of badRevisions) add('query', `download: ${name}`, download(query), 400, 'InvalidParameter');
  add('query', 'download: revision twice', download('revision=1&revision=2'), 400, 'DuplicateParameter');
  add('query', 'download: a revision never written', download('revision=99'), 404, 'RevisionNotFound');
  add('query', 'download: unknown parameter', get(`/api/exports/${done}/files/${fileKey}?redirect=https://evil.example`), 400, 'UnknownParameter');
  add('query', 'rerun: unknown parameter', post(`/api/exports/${missing}/rerun?force=true`), 400, 'UnknownParameter');
  add('query', 'rerun: parameter twice', post(`/api/exports/${missing}/rerun?force=1&force=2`), 400, 'UnknownParameter');

  // ---------- methods ----------
  const routes: Array<[string, string, string]> = [
    ['list', '/api/exports', 'GET, POST'],
    ['show', `/api/exports/${done}`, 'GET'],
    ['download', `/api/exports/${done}/files/${fileKey}`, 'GET'],
    ['rerun', `/api/exports/${done}/rerun`, 'POST'],
    ['stream health', '/api/streams', 'GET'],
    ['page', '/api/ui', 'GET'],
    ['page asset', '/api/ui/app.js', 'GET'],
  ];
  for (const [route, target, allow] of routes) {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND']) {
      if (allow.split(', ').includes(method)) continue;
      add('methods', `${method} on ${route}`, { method, target, ...(method === 'PUT' || method === 'PATCH' ? json({ status: 'succeeded' }) : {}) }, 405, 'MethodNotAllowed', { allow });
    }
  }
  for (const method of ['GET', 'POST', 'DELETE', 'HEAD']) add('methods', `${method} on an unknown route`, { method, target: '/api/admin/keys' }, 404, 'RouteNotFound');
  add('methods', 'unknown route outside the API', get('/admin/host/keys'), 404, 'RouteNotFound');
  add('methods', 'route prefix only', get('/api'), 404, 'RouteNotFound');
  add('methods', 'made-up method', { method: 'FOO', target: '/api/exports' }, 400, 'BadRequest');
  add('methods', 'lower-case method', { method: 'get', target: '/api/exports' }, 400, 'BadRequest');
  add('methods', 'CONNECT', { method: 'CONNECT', target: '/api/exports' }, 405, 'MethodNotAllowed');
  add('methods', 'method override header is not honoured', get(`/api/exports/${missing}/rerun`, { headers: [['X-HTTP-Method-Override', 'POST']] }), 405, 'MethodNotAllowed', { allow: 'POST' });

  // ---------- bodies ----------
  const rerunMissing = `/api/exports/${missing}/rerun`;
  const bodies: Array<[string, Partial<RawRequest>]> = [
    ['a JSON object with fields', json({ force: true })],
    ['a JSON array', json([])],
    ['JSON null', json(null)],
    ['a JSON string', json('rerun')],
    ['a JSON number', json(1)],
    ['broken JSON', { headers: [['Content-Type', 'application/json']], body: '{{{' }],
    ['invalid UTF-8', { headers: [['Content-Type', 'application/json']], body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }],
    ['UTF-16 JSON with a byte-order mark', { headers: [['Content-Type', 'application/json']], body: Buffer.from('\ufeff{}', 'utf16le') }],
    ['XML', { headers: [['Content-Type', 'application/xml']], body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' }],
    ['a form', { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'force=true&jobId=audit' }],
    ['multipart', { headers: [['Content-Type', 'multipart/form-data; boundary=b']], body: '--b\r\nContent-Disposition: form-data; name="f"; filename="../../x"\r\n\r\nx\r\n--b--\r\n' }],
    ['gzip bytes', { headers: [['Content-Type', 'application/json'], ['Content-Encoding', 'gzip']], body: Buffer.from('1f8b0800000000000003abae050043bfa6a302000000', 'hex') }],
    ['deeply nested JSON', { headers: [['Content-Type', 'application/json']], body: `${'['.repeat(20000)}${']'.repeat(20000)}` }],
    ['prototype pollution', { headers: [['Content-Type', 'application/json']], body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' }],
    ['1 MiB of text', { headers: [['Content-Type', 'text/plain']], body: Buffer.alloc(1024 * 1024, 0x41) }],
    ['NUL bytes', { headers: [['Content-Type', 'application/octet-stream']], body: Buffer.alloc(64, 0) }],
    ['a chunked body', { headers: [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], body: '5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n' }],
  ];
  for (const [name, body] of bodies) add('bodies', `rerun with ${name}`, post(rerunMissing, body), 400, 'InvalidBody');
  add('bodies', 'a Content-Length over the host limit', post(rerunMissing, { body: '{}', contentLength: 200 * 1024 * 1024 }), 413, 'PayloadTooLarge');
  add('bodies', 'a negative Content-Length', post(rerunMissing, { headers: [['Content-Length', '-1']] }), 400, 'BadRequest');
  add('bodies', 'Content-Length and Transfer-Encoding together', post(rerunMissing, { headers: [['Transfer-Encoding', 'chunked'], ['Content-Length', '3']], body: '0\r\n\r\n' }), 400, 'BadRequest');
  add('bodies', 'a broken chunk size', post(rerunMissing, { headers: [['Transfer-Encoding', 'chunked']], body: 'zz\r\nxx\r\n0\r\n\r\n' }), 400, 'BadRequest');
  add('bodies', 'a JSON body on a GET route', get(`/api/exports/${missing}`, json({ jobId: done })), 404, 'ExportNotFound');
  add('bodies', 'a large body on a GET route', get(`/api/exports/${missing}`, { headers: [['Content-Type', 'text/plain']], body: Buffer.alloc(256 * 1024, 0x42) }), 404, 'ExportNotFound');

  // ---------- headers ----------
  add('headers', 'malformed Host', { method: 'GET', target: '/api/exports', noHost: true, headers: [['Host', 'bad host^']] }, 400, 'BadRequest');
  add('headers', 'unclosed IPv6 Host', { method: 'GET', target: '/api/exports', noHost: true, headers: [['Host', '[::1']] }, 400, 'BadRequest');
  add('headers', 'Host with a path', { method: 'GET', target: '/api/exports', noHost: true, headers: [['Host', 'evil.example/x']] }, 400, 'BadRequest');
  add('headers', 'absolute-form target', get('http://evil.example/api/exports'), 400, 'BadRequest');
  add('headers', 'NUL in a header value', get('/api/exports', { headers: [['X-Test', 'a\u0000b']] }), 400, 'BadRequest');
  add('headers', 'space in a header name', get('/api/exports', { headers: [['Bad Header', 'x']] }), 400, 'BadRequest');
  add('headers', 'headers over 16 KiB', get('/api/exports', { headers: [['X-Big', 'x'.repeat(20 * 1024)]] }), 431, 'BadRequest');
  add('headers', 'bare LF line ending', { method: 'GET', target: '', raw: 'GET /api/exports HTTP/1.1\nHost: x\nX-A: b\n\n' }, 400, 'BadRequest');
  add('headers', 'forged principal and proxy headers are ignored without App Service Authentication', get(`/api/exports/${missing}`, {
    headers: [['X-MS-CLIENT-PRINCIPAL', principalWith([ROLE_READ, ROLE_RUN])], ['X-MS-CLIENT-PRINCIPAL-NAME', 'admin'], ['X-Forwarded-For', '<script>, 10.0.0.1'], ['Client-IP', 'not-an-ip']],
  }), 404, 'ExportNotFound');
  add('headers', 'garbage principal is ignored without App Service Authentication', get(`/api/exports/${done}/files/nope`, { headers: [['X-MS-CLIENT-PRINCIPAL', '%%%']] }), 404, 'FileNotFound');
  add('headers', 'Accept: text/html still gets JSON', get(`/api/exports/${missing}`, { headers: [['Accept', 'text/html']] }), 404, 'ExportNotFound');
  add('headers', 'odd Content-Type on a GET', get('/api/exports?limit=0', { headers: [['Content-Type', 'application/json; charset=ebcdic']] }), 400, 'InvalidParameter');
  add('headers', 'wrong charset on a JSON body', post(rerunMissing, { headers: [['Content-Type', 'text/json; charset=utf-7']], body: '+AHsAfQ-' }), 400, 'InvalidBody');

  // ---------- odd encodings ----------
  add('encodings', 'route literal in capitals', get('/API/EXPORTS/x'), 400, 'InvalidJobId');
  add('encodings', 'encoded slash in the id', get('/api/exports/audit%2F20261127T1000Z'), 400, 'InvalidJobId');
  add('encodings', 'double slash', get('//api/exports'), 404, 'RouteNotFound');
  add('encodings', 'matrix parameter', get('/api/exports;jsessionid=1'), 404, 'RouteNotFound');
  add('encodings', 'encoded question mark in the path', get('/api/exports%3Flimit=0'), 404, 'RouteNotFound');
  add('encodings', 'raw UTF-8 bytes in the path', { method: 'GET', target: '', raw: Buffer.concat([Buffer.from('GET /api/exports/'), Buffer.from('ａｕｄｉｔ', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]) }, 400, 'BadRequest');
  add('encodings', 'path of 8000 characters', get(`/api/${'x/'.repeat(4000)}`), 404, 'RouteNotFound');
  add('encodings', 'query of invalid percent-encodings', list('%zz=%zz'), 400, 'UnknownParameter');
  add('encodings', 'query with a fragment', list('limit=0#x'), 400, 'InvalidParameter');
  add('encodings', 'plus-encoded space in a value', list('stream=audit+x'), 400, 'InvalidParameter');

  // ---------- on-demand exports (POST /api/exports) ----------
  const start = (body: unknown, more: Partial<RawRequest> = {}): RawRequest => post('/api/exports', { ...json(body), ...more });
  const valid = { stream: 'audit', from: '2026-11-28T06:00:00Z', to: '2026-11-28T09:00:00Z' };
  const onDemand: Array<[string, RawRequest, number, ApiErrorCode]> = [
    ['no body', post('/api/exports'), 400, 'InvalidField'],
    ['an empty object', start({}), 400, 'InvalidField'],
    ['text/plain', post('/api/exports', { headers: [['Content-Type', 'text/plain']], body: JSON.stringify(valid) }), 415, 'UnsupportedMediaType'],
    ['no Content-Type', post('/api/exports', { body: JSON.stringify(valid) }), 415, 'UnsupportedMediaType'],
    ['form-encoded', post('/api/exports', { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'stream=audit' }), 415, 'UnsupportedMediaType'],
    ['17 KiB of JSON', start({ ...valid, filters: { user: 'a'.repeat(17 * 1024) } }), 413, 'PayloadTooLarge'],
    ['broken JSON', post('/api/exports', { headers: [['Content-Type', 'application/json']], body: '{"stream":' }), 400, 'InvalidBody'],
    ['a JSON array', start([valid]), 400, 'InvalidBody'],
    ['JSON null', start(null), 400, 'InvalidBody'],
    ['invalid UTF-8', post('/api/exports', { headers: [['Content-Type', 'application/json']], body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }), 400, 'InvalidBody'],
    ['deeply nested JSON', post('/api/exports', { headers: [['Content-Type', 'application/json']], body: `${'['.repeat(8000)}${']'.repeat(8000)}` }), 400, 'InvalidBody'],
    ['an unknown field', start({ ...valid, priority: 'high' }), 400, 'UnknownField'],
    ['a __proto__ field', post('/api/exports', { headers: [['Content-Type', 'application/json']], body: '{"stream":"audit","from":"2026-11-28T06:00:00Z","to":"2026-11-28T09:00:00Z","__proto__":{"admin":true}}' }), 400, 'UnknownField'],
    ['an unknown stream', start({ ...valid, stream: 'everything' }), 400, 'InvalidField'],
    ['a stream OData injection', start({ ...valid, stream: "audit' or 1 eq 1" }), 400, 'InvalidField'],
    ['from on 30 February', start({ ...valid, from: '2026-02-30T00:00:00Z' }), 400, 'InvalidField'],
    ['from hour 25', start({ ...valid, from: '2026-11-28T25:00:00Z' }), 400, 'InvalidField'],
    ['to offset +25:00', start({ ...valid, to: '2026-11-28T09:00:00+25:00' }), 400, 'InvalidField'],
    ['from as a number', start({ ...valid, from: 1764309600 }), 400, 'InvalidField'],
    ['to before from', start({ ...valid, from: valid.to, to: valid.from }), 400, 'InvalidField'],
    ['an empty range', start({ ...valid, to: valid.from }), 400, 'InvalidField'],
    ['to in the future', start({ ...valid, to: '2099-01-01T00:00:00Z' }), 400, 'InvalidField'],
    ['from beyond retention', start({ ...valid, from: '2020-01-01T00:00:00Z' }), 400, 'InvalidField'],
    ['filters as an array', start({ ...valid, filters: ['user'] }), 400, 'InvalidField'],
    ['filters as a string', start({ ...valid, filters: "category eq 'x'" }), 400, 'InvalidField'],
    ['an unknown filter', start({ ...valid, filters: { $filter: 'true' } }), 400, 'UnknownField'],
    ['a filter of another stream', start({ ...valid, filters: { identity: 'ana' } }), 400, 'UnknownField'],
    ['a filter value that is an object', start({ ...valid, filters: { user: { $ne: '' } } }), 400, 'InvalidField'],
    ['a filter value of 5000 characters', start({ ...valid, filters: { category: 'x'.repeat(5000) } }), 400, 'InvalidField'],
    ['formats empty', start({ ...valid, formats: [] }), 400, 'InvalidField'],
    ['formats unknown', start({ ...valid, formats: ['xml'] }), 400, 'InvalidField'],
    ['formats twice', start({ ...valid, formats: ['csv', 'csv'] }), 400, 'InvalidField'],
    ['formats as a string', start({ ...valid, formats: 'csv' }), 400, 'InvalidField'],
    ['a query parameter', { ...start(valid), target: '/api/exports?dryRun=true' }, 400, 'UnknownParameter'],
  ];
  for (const [name, request, status, code] of onDemand) add('on-demand exports', name, request, status, code);

  // ---------- stream health and the download page ----------
  add('streams and page', 'stream health: unknown parameter', get('/api/streams?stream=audit'), 400, 'UnknownParameter');
  add('streams and page', 'stream health: OData in a parameter name', get("/api/streams?$filter=stream%20eq%20'audit'"), 400, 'UnknownParameter');
  add('streams and page', 'stream health: extra segment', get('/api/streams/audit'), 404, 'RouteNotFound');
  add('streams and page', 'page: unknown parameter', get('/api/ui?debug=1'), 400, 'UnknownParameter');
  const pageAssets: Array<[string, string]> = [
    ['an unknown asset', 'nope.js'],
    ['encoded traversal to package.json', '..%2F..%2F..%2Fpackage.json'],
    ['encoded traversal to local settings', '..%2F..%2F..%2F..%2Flocal.settings.json'],
    ['double-encoded traversal', '%252e%252e%252fpackage.json'],
    ['backslash traversal', '..%5C..%5Cpackage.json'],
    ['the page module beside the assets', '..%2FdownloadPage.js'],
    ['an asset in capitals', 'APP.JS'],
    ['an asset with a NUL', 'app.js%00.html'],
    ['an asset with a query in its name', 'app.js%3Fx=1'],
    ['a nested path', 'assets/app.js'],
    ['a dot file', '.env'],
    ['a 500-character name', `${'a'.repeat(500)}.js`],
  ];
  for (const [name, assetPath] of pageAssets) add('streams and page', `page: ${name}`, get(`/api/ui/${assetPath}`), 404, 'RouteNotFound');
  add('streams and page', 'page: dot segments leave the page for another route', get('/api/ui/../exports/x'), 400, 'InvalidJobId');

  // ---------- principals (App Service Authentication on) ----------
  const malformed: Array<[string, string]> = [
    ['not base64', '%%%'],
    ['base64 of text', b64('hello')],
    ['null', b64('null')],
    ['claims null', b64({ claims: null })],
    ['claims [null]', b64({ claims: [null] })],
    ['name claim an object', b64({ claims: [{ typ: 'preferred_username', val: { a: 1 } }] })],
    ['name claim an array', b64({ claims: [{ typ: 'preferred_username', val: ['a'] }] })],
    ['object id claim an object', b64({ claims: [{ typ: 'preferred_username', val: 'a@b.example' }, { typ: 'oid', val: { a: 1 } }] })],
    ['object id not a GUID', b64({ claims: [{ typ: 'preferred_username', val: 'a@b.example' }, { typ: 'oid', val: "' or 1 eq 1" }] })],
    ['name with a line break', b64({ claims: [{ typ: 'preferred_username', val: 'a\r\nb' }, { typ: 'roles', val: ROLE_READ }] })],
  ];
  const signedInRoutes: Array<[string, RawRequest]> = [
    ['list', get('/api/exports')],
    ['show', get(`/api/exports/${done}`)],
    ['download', get(`/api/exports/${done}/files/${fileKey}`)],
    ['rerun', post(`/api/exports/${done}/rerun`)],
    ['on-demand export', start(valid)],
    ['stream health', get('/api/streams')],
    ['download page', get('/api/ui')],
  ];
  for (const [route, request] of signedInRoutes) {
    add('principals', `${route}: not signed in`, request, 401, 'Unauthenticated', { mode: 'signedIn' });
    for (const [name, header] of malformed) {
      add('principals', `${route}: principal ${name}`, { ...request, headers: [...(request.headers ?? []), ['X-MS-CLIENT-PRINCIPAL', header]] }, 401, 'Unauthenticated', { mode: 'signedIn' });
    }
    add('principals', `${route}: signed in without any role`, { ...request, headers: [...(request.headers ?? []), ['X-MS-CLIENT-PRINCIPAL', principalWith([])]] }, 403, 'Forbidden', { mode: 'signedIn' });
  }
  const runs = new Set(['rerun', 'on-demand export']);
  for (const [route, request] of signedInRoutes) {
    const other = runs.has(route) ? ROLE_READ : ROLE_RUN;
    add('principals', `${route}: only ${other}`, { ...request, headers: [...(request.headers ?? []), ['X-MS-CLIENT-PRINCIPAL', principalWith([other])]] }, 403, 'Forbidden', { mode: 'signedIn' });
  }
  add('principals', 'rerun: role in a different case', { ...signedInRoutes[3]![1], headers: [['X-MS-CLIENT-PRINCIPAL', principalWith(['exports.run'])]] }, 403, 'Forbidden', { mode: 'signedIn' });
  add('principals', 'on-demand export: role with a trailing space', { ...start(valid), headers: [['Content-Type', 'application/json'], ['X-MS-CLIENT-PRINCIPAL', principalWith(['Exports.Run '])]] }, 403, 'Forbidden', { mode: 'signedIn' });
  for (const [name, header] of malformed.slice(0, 5)) {
    add('principals', `platform sign-in without roles: principal ${name}`, get(`/api/exports/${done}/files/${fileKey}`, { headers: [['X-MS-CLIENT-PRINCIPAL', header]] }), 401, 'Unauthenticated', { mode: 'platformOnly' });
  }
  return cases;
}
