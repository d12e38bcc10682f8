import type { SimulatorHandle } from '../../dev/graph-simulator';
import { get, iso, listUrl, NOW, startTestSimulator } from './graphClient';

const recent = `createdDateTime ge ${iso(NOW - 3_600_000)}`;

function expectGraphError(page: Awaited<ReturnType<typeof get>>, status: number, code: string, message?: string): void {
  expect(page.status).toBe(status);
  expect(page.body.error?.code).toBe(code);
  if (message) expect(page.body.error?.message).toBe(message);
  const inner = page.body.error?.innerError ?? {};
  expect(Object.keys(inner)).toEqual(expect.arrayContaining(['date', 'request-id', 'client-request-id']));
  expect(page.headers.get('request-id')).toBe(inner['request-id']);
}

describe('Graph error responses', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startTestSimulator({ volume: { interactiveSignIns: 60, audit: 60, provisioning: 60 }, staticTokens: { 'static-secret': 'static-app' } });
  });
  afterEach(() => sim.update({ tenant: { licence: 'premium', missingPermission: false, spuriousLicenceErrorRate: 0 } }));
  afterAll(() => sim.close());

  test('401 InvalidAuthenticationToken without a bearer token or with garbage; static tokens are accepted', async () => {
    expectGraphError(await get(`${sim.url}/v1.0/auditLogs/directoryAudits`, null), 401, 'InvalidAuthenticationToken');
    expectGraphError(await get(`${sim.url}/v1.0/auditLogs/directoryAudits`, 'not-a-jwt'), 401, 'InvalidAuthenticationToken');
    expect((await get(`${sim.url}/v1.0/auditLogs/directoryAudits?$top=1`, 'static-secret')).status).toBe(200);
    expect(sim.stats().requestsByApp['static-app']).toBe(1);
  });

  test('client-request-id is echoed in innerError', async () => {
    const response = await fetch(`${sim.url}/v1.0/auditLogs/nope`, { headers: { 'client-request-id': 'abc-123' } });
    const body = (await response.json()) as { error: { code: string; innerError: Record<string, string> } };
    expect(response.status).toBe(404);
    expect(body.error.code).toBe('NotFound');
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
  });

  test('free tenant: 403 licence error on signIns and provisioning; directoryAudits still answer', async () => {
    sim.update({ tenant: { licence: 'free' } });
    const message = "Neither tenant is B2C or tenant doesn't have premium license";
    expectGraphError(await get(`${sim.url}/beta/auditLogs/signIns`), 403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', message);
    expectGraphError(await get(`${sim.url}/v1.0/auditLogs/provisioning`), 403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', message);
    expect((await get(`${sim.url}/v1.0/auditLogs/directoryAudits?$top=1`)).status).toBe(200);
  });

  test('free tenant keeps 7 days: an audit filter 8 days back answers 400 Invalid filter clause', async () => {
    sim.update({ tenant: { licence: 'free' } });
    const old = listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `activityDateTime ge ${iso(NOW - 8 * 86_400_000)}` });
    expectGraphError(await get(old), 400, 'BadRequest', 'Invalid filter clause');
    const fine = listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '1', $filter: `activityDateTime ge ${iso(NOW - 6 * 86_400_000)}` });
    expect((await get(fine)).status).toBe(200);
  });

  test('premium retention is 30 days', async () => {
    const old = listUrl(sim.url, '/beta/auditLogs/signIns', { $filter: `createdDateTime ge ${iso(NOW - 31 * 86_400_000)}` });
    expectGraphError(await get(old), 400, 'BadRequest', 'Invalid filter clause');
  });

  test('missing permission: 403 Authentication_MSGraphPermissionMissing on all three endpoints', async () => {
    sim.update({ tenant: { missingPermission: true } });
    for (const path of ['/v1.0/auditLogs/directoryAudits', '/beta/auditLogs/signIns', '/v1.0/auditLogs/provisioning']) {
      expectGraphError(await get(`${sim.url}${path}`), 403, 'Authentication_MSGraphPermissionMissing', 'Calling principal does not have required MSGraph permissions AuditLog.Read.All');
    }
  });

  test('spurious licence errors on a premium tenant follow the configured rate', async () => {
    sim.update({ tenant: { spuriousLicenceErrorRate: 1 } });
    expectGraphError(await get(`${sim.url}/beta/auditLogs/signIns?$top=1`), 403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    sim.update({ tenant: { spuriousLicenceErrorRate: 0 } });
    expect((await get(listUrl(sim.url, '/beta/auditLogs/signIns', { $top: '1', $filter: recent }))).status).toBe(200);
  });

  test.each([
    ['$select', 'Select'],
    ['$skip', 'Skip'],
    ['$count', 'Count'],
  ])('%s on signIns answers 400 with the AllowedQueryOptions wording', async (option, word) => {
    const page = await get(listUrl(sim.url, '/beta/auditLogs/signIns', { [option]: option === '$select' ? 'id' : option === '$skip' ? '10' : 'true' }));
    expectGraphError(page, 400, 'BadRequest', `Query option '${word}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`);
  });

  test('$skip on directoryAudits answers 400; $select there projects the record', async () => {
    expectGraphError(await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $skip: '5' })), 400, 'BadRequest');
    const page = await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '2', $select: 'activityDateTime,category' }));
    expect(page.status).toBe(200);
    for (const record of page.body.value ?? []) expect(Object.keys(record).sort()).toEqual(['activityDateTime', 'category', 'id']);
  });

  test('invalid $top and $orderby answer 400', async () => {
    expectGraphError(await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '0' })), 400, 'BadRequest');
    expectGraphError(await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $orderby: 'category desc' })), 400, 'BadRequest');
  });

  test('a tampered skiptoken answers 400 BadRequest', async () => {
    const first = await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '1' }));
    const next = String(first.body['@odata.nextLink']);
    const tampered = next.replace(/skiptoken=([A-Za-z0-9_-])/, (_m, c: string) => `skiptoken=${c === 'A' ? 'B' : 'A'}`);
    expectGraphError(await get(tampered), 400, 'BadRequest', 'Invalid Skip Token, skip token is null');
  });
});
