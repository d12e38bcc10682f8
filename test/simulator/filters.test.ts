import { parseFilter } from '../../dev/graph-simulator/odataFilter';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import { get, getAll, iso, listUrl, NOW, startTestSimulator } from './graphClient';

const START = iso(NOW - 2 * 3_600_000);
const END = iso(NOW - 3_600_000);
const signInTime = `createdDateTime ge ${START} and createdDateTime le ${END}`;

describe('OData filter parser', () => {
  test("quoted literals unescape '' and DateTimeOffset literals keep 0-7 fraction digits", () => {
    expect(parseFilter("userPrincipalName eq 'o''brien@contoso.example'")).toEqual({
      type: 'compare', op: 'eq', path: 'userPrincipalName', literal: { kind: 'string', value: "o'brien@contoso.example" },
    });
    for (const value of ['2026-11-27T10:15:41Z', '2026-11-27T10:15:41.6Z', '2026-11-27T10:15:41.6195833Z']) {
      expect(parseFilter(`createdDateTime ge ${value}`)).toMatchObject({ literal: { kind: 'datetime', value } });
    }
  });

  test('and binds tighter than or; parentheses and not group; lambdas parse', () => {
    const node = parseFilter("a eq 'x' or b eq 'y' and (c eq 'z' or not d eq 'w') and signInEventTypes/any(t: t eq 'x' or t eq 'y')");
    expect(node.type).toBe('or');
    expect(node).toMatchObject({ right: { type: 'and', right: { type: 'any', path: 'signInEventTypes', variable: 't' } } });
  });
});

describe('filter semantics per endpoint', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startTestSimulator({ volume: { audit: 1200, interactiveSignIns: 1200, nonInteractiveSignIns: 1200, servicePrincipalSignIns: 300, provisioning: 600 } });
  });
  afterAll(() => sim.close());

  const signIns = (filter: string, version = 'beta') => listUrl(sim.url, `/${version}/auditLogs/signIns`, { $filter: filter });

  test('signIns without a signInEventTypes clause return interactive sign-ins only (beta and v1.0)', async () => {
    const beta = await getAll(signIns(signInTime));
    expect(new Set(beta.records.map((r) => r.id)).size).toBe(sim.groundTruthIds({ stream: 'interactiveSignIns', start: START, end: iso(NOW - 3_600_000 + 1) }).length);
    expect(beta.records.every((r) => (r.signInEventTypes as string[])[0] === 'interactiveUser')).toBe(true);
    const v1 = await getAll(signIns(signInTime, 'v1.0'));
    expect(v1.records.map((r) => r.id).sort()).toEqual(beta.records.map((r) => r.id).sort());
    expect(v1.records.every((r) => !('signInEventTypes' in r) && r.isInteractive === true)).toBe(true);
  });

  test("signInEventTypes/any(t: t eq 'a' or t eq 'b') returns both kinds; v1.0 rejects the clause", async () => {
    const both = await getAll(signIns(`signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser') and ${signInTime}`));
    const kinds = new Set(both.records.map((r) => (r.signInEventTypes as string[])[0]));
    expect(kinds).toEqual(new Set(['interactiveUser', 'nonInteractiveUser']));
    const v1 = await get(signIns(`signInEventTypes/any(t: t eq 'nonInteractiveUser') and ${signInTime}`, 'v1.0'));
    expect(v1.status).toBe(400);
    expect(v1.body.error).toMatchObject({ code: 'BadRequest', message: 'Invalid filter clause' });
  });

  test('ge/le are inclusive on signIns and directoryAudits; gt/lt are rejected there', async () => {
    const [record] = (await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '1', $filter: `activityDateTime le ${END}` }))).body.value ?? [];
    const t = String(record.activityDateTime);
    const exact = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `activityDateTime ge ${t} and activityDateTime le ${t}` }));
    expect(exact.records.map((r) => r.id)).toContain(record.id);
    const eq = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `activityDateTime eq ${t}` }));
    expect(eq.records.map((r) => r.id)).toContain(record.id);
    for (const op of ['gt', 'lt']) {
      const page = await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `activityDateTime ${op} ${t}` }));
      expect(page.status).toBe(400);
    }
  });

  test('provisioning accepts exclusive gt/lt only; ge/le answer 400 Invalid filter clause', async () => {
    const [record] = (await get(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $top: '1', $filter: `activityDateTime lt ${END}` }))).body.value ?? [];
    const t = String(record.activityDateTime);
    const exclusive = await getAll(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $filter: `activityDateTime gt ${t} and activityDateTime lt ${END}` }));
    expect(exclusive.records.map((r) => r.id)).not.toContain(record.id);
    const bad = await get(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $filter: `activityDateTime ge ${t}` }));
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toBe('Invalid filter clause');
  });

  test('eq and startswith on strings, eq on status/errorCode, and/or with parentheses', async () => {
    const all = await getAll(signIns(`signInEventTypes/any(t: t eq 'interactiveUser') and ${signInTime}`));
    const sample = all.records.find((r) => /^[a-z]+\d+@/.test(String(r.userPrincipalName))) as Record<string, unknown>;
    const upn = String(sample.userPrincipalName);
    const byUpn = await getAll(signIns(`userPrincipalName eq '${upn}' and ${signInTime}`));
    expect(byUpn.records.length).toBe(all.records.filter((r) => r.userPrincipalName === upn).length);
    const prefix = upn.slice(0, 3);
    const byPrefix = await getAll(signIns(`startswith(userPrincipalName, '${prefix}') and ${signInTime}`));
    expect(byPrefix.records.length).toBe(all.records.filter((r) => String(r.userPrincipalName).toLowerCase().startsWith(prefix)).length);
    const failed = await getAll(signIns(`status/errorCode eq 50126 and ${signInTime}`));
    expect(failed.records.length).toBe(all.records.filter((r) => (r.status as { errorCode: number }).errorCode === 50126).length);
    const either = await getAll(signIns(`(status/errorCode eq 50126 or status/errorCode eq 50074) and ${signInTime}`));
    expect(either.records.length).toBe(all.records.filter((r) => [50126, 50074].includes((r.status as { errorCode: number }).errorCode)).length);
  });

  test("'' escapes in literals match values containing a quote", async () => {
    const all = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `activityDateTime ge ${START} and activityDateTime le ${END}` }));
    const activity = 'Add app role assignment to service principal';
    const quoted = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', {
      $filter: `activityDisplayName eq '${activity}' and activityDateTime ge ${START} and activityDateTime le ${END}`,
    }));
    expect(quoted.records.length).toBe(all.records.filter((r) => r.activityDisplayName === activity).length);
    const withQuote = await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `initiatedBy/user/userPrincipalName eq 'o''brien@contoso.example' and activityDateTime ge ${START}` }));
    expect(withQuote.status).toBe(200);
    const byCategory = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `startswith(category, 'Group') and activityDateTime ge ${START} and activityDateTime le ${END}` }));
    expect(byCategory.records.length).toBe(all.records.filter((r) => r.category === 'GroupManagement').length);
  });

  test("targetResources/any(t: …) selects audits by a target's id (eq) or display name (eq, startswith), ignoring case", async () => {
    const range = `activityDateTime ge ${START} and activityDateTime le ${END}`;
    const audits = (filter: string) => getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `${filter} and ${range}` }));
    const all = (await audits('activityDateTime ge 2000-01-01T00:00:00Z')).records;
    const targetsOf = (r: Record<string, unknown>) => r.targetResources as Array<{ id: string; displayName: string | null }>;
    const id = targetsOf(all[0])[0].id;
    const byId = await audits(`targetResources/any(t: t/id eq '${id.toUpperCase()}')`);
    expect(byId.records.map((r) => r.id).sort()).toEqual(all.filter((r) => targetsOf(r).some((t) => t.id === id)).map((r) => r.id).sort());
    const byName = await audits("targetResources/any(x: startswith(x/displayName, 'group '))");
    const expected = all.filter((r) => targetsOf(r).some((t) => (t.displayName ?? '').toLowerCase().startsWith('group '))).map((r) => r.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(byName.records.map((r) => r.id).sort()).toEqual(expected);
    for (const bad of ["targetResources/any(t: t/userPrincipalName eq 'a')", "targetResources/any(t: startswith(t/id, 'a'))", "targetResources/any(t: u/id eq 'a')", "additionalDetails/any(t: t/key eq 'a')"]) {
      const page = await get(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `${bad} and ${range}` }));
      expect(page.status).toBe(400);
    }
  });

  test('provisioning eq/contains on status and action are case sensitive', async () => {
    const range = `activityDateTime gt ${START} and activityDateTime lt ${END}`;
    const all = await getAll(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $filter: range }));
    const failures = await getAll(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $filter: `provisioningStatusInfo/status eq 'failure' and ${range}` }));
    expect(failures.records.length).toBe(all.records.filter((r) => (r.provisioningStatusInfo as { status: string }).status === 'failure').length);
    const upper = await getAll(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $filter: `provisioningStatusInfo/status eq 'FAILURE' and ${range}` }));
    expect(upper.records).toHaveLength(0);
    const creates = await getAll(listUrl(sim.url, '/v1.0/auditLogs/provisioning', { $filter: `provisioningAction eq 'create' and ${range}` }));
    expect(creates.records.length).toBe(all.records.filter((r) => r.provisioningAction === 'create').length);
  });

  test.each([
    ['unknown property', 'beta', "favouriteColour eq 'blue'"],
    ['startswith on an eq-only property', 'beta', "startswith(appId, 'a')"],
    ['ge on status/errorCode', 'beta', 'status/errorCode ge 50000'],
    ['syntax error', 'beta', "userPrincipalName eq 'unterminated"],
    ['string literal for a time', 'beta', "createdDateTime ge '2026-11-27T10:00:00Z'"],
    ['beta-only property on v1.0', 'v1.0', "servicePrincipalName eq 'x'"],
  ])('unsupported filters answer 400 BadRequest Invalid filter clause: %s', async (_name, version, filter) => {
    const page = await get(signIns(filter, version));
    expect(page.status).toBe(400);
    expect(page.body.error).toMatchObject({ code: 'BadRequest', message: 'Invalid filter clause' });
  });
});
