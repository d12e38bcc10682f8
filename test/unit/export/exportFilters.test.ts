/**
 * The export filter module: which filters each stream takes, what reaches Graph's $filter (escaped, and accepted
 * by the simulator's copy of Graph's filter rules), what is only applied while writing, and how records match.
 */
import { buildPlan } from '../../../dev/graph-simulator/queryPlan';
import type { EndpointName } from '../../../dev/graph-simulator/options';
import { compileExportFilters, ExportFilters, FilterError, filterNames, parseExportFilters } from '../../../src/export/filters';
import { STREAM_IDS, STREAMS, StreamId } from '../../../src/streams/catalog';

const GUID = '5f4c2b1a-0d3e-4f6a-8b9c-1d2e3f4a5b6c';

function endpointOf(stream: StreamId): EndpointName {
  return stream === 'audit' ? 'directoryAudits' : stream === 'provisioning' ? 'provisioning' : 'signIns';
}

function refusal(stream: StreamId, filters: unknown): FilterError {
  try {
    parseExportFilters(stream, filters);
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(filters)}`);
}

describe('filters per stream', () => {
  it('offers the admin center filters each stream has data for', () => {
    expect(filterNames('interactiveSignIns')).toEqual(['user', 'application', 'status', 'ipAddress', 'correlationId']);
    expect(filterNames('nonInteractiveSignIns')).toEqual(['user', 'application', 'status', 'ipAddress', 'correlationId']);
    expect(filterNames('servicePrincipalSignIns')).toEqual(['application', 'status', 'ipAddress', 'correlationId']);
    expect(filterNames('managedIdentitySignIns')).toEqual(['application', 'status', 'correlationId']);
    expect(filterNames('audit')).toEqual(['user', 'application', 'status', 'ipAddress', 'correlationId', 'category', 'activity', 'service', 'initiatedBy', 'target']);
    expect(filterNames('provisioning')).toEqual(['application', 'status', 'identity', 'action']);
  });

  it('refuses unknown filters, filters of another stream and values that are not strings, naming the filter', () => {
    expect(refusal('audit', { colour: 'red' })).toMatchObject({ filter: 'colour', message: expect.stringContaining('is not a filter;') });
    expect(refusal('provisioning', { user: 'ana@contoso.example' })).toMatchObject({ filter: 'user', message: expect.stringContaining('is not a filter of provisioning') });
    expect(refusal('managedIdentitySignIns', { ipAddress: '10.0.0.1' }).filter).toBe('ipAddress');
    expect(refusal('audit', ['user']).filter).toBe('filters');
    expect(refusal('audit', 'user eq 1').filter).toBe('filters');
    for (const bad of [7, true, null, ['a'], { a: 1 }]) expect(refusal('audit', { user: bad }).filter).toBe('user');
    expect(refusal('audit', { ['x'.repeat(500)]: 'a' }).filter).toHaveLength(50);
  });

  it.each<[string, StreamId, ExportFilters, RegExp]>([
    ['an empty value', 'audit', { user: '  ' }, /must not be empty/],
    ['a lone *', 'audit', { activity: '*' }, /at least one character before \*/],
    ['* inside a value', 'audit', { activity: 'Up*date' }, /only once, at the end/],
    ['a prefix where only equality exists', 'audit', { correlationId: 'ab*' }, /exact value/],
    ['an unknown status', 'interactiveSignIns', { status: 'blocked' }, /one of success, failure, interrupted/],
    ['interrupted outside sign-ins', 'audit', { status: 'interrupted' }, /one of success, failure \(/],
    ['an unknown action', 'provisioning', { action: 'rename' }, /one of create, update, delete, disable, stagedDelete, other/],
    ['a correlation id that is not a GUID', 'interactiveSignIns', { correlationId: 'abc' }, /must be a GUID/],
    ['an IP address with other characters', 'interactiveSignIns', { ipAddress: "1.2.3.4' or 1 eq 1" }, /IPv4 or IPv6/],
    ['control characters', 'audit', { activity: 'Update\u0000user' }, /control characters/],
    ['a line break', 'audit', { activity: 'Update\nuser' }, /control characters/],
    ['an unpaired surrogate', 'audit', { activity: 'Update \ud800' }, /valid Unicode/],
    ['a value of 257 characters', 'audit', { activity: 'a'.repeat(257) }, /at most 256/],
  ])('refuses %s with a message saying what is expected', (_, stream, filters, message) => {
    const error = refusal(stream, filters);
    expect(error.filter).toBe(Object.keys(filters)[0]);
    expect(error.message).toMatch(message);
  });

  it('normalises values: trimmed, closed-set values in Graph spelling', () => {
    expect(parseExportFilters('provisioning', { action: 'STAGEDDELETE', status: ' Failure ' })).toEqual({ action: 'stagedDelete', status: 'failure' });
    expect(parseExportFilters('audit', { user: ' Ana@Contoso.example ', activity: 'Update*' })).toEqual({ user: 'Ana@Contoso.example', activity: 'Update*' });
    expect(parseExportFilters('audit', undefined)).toEqual({});
    expect(parseExportFilters('audit', null)).toEqual({});
  });
});

describe("Graph's part of a filter", () => {
  it.each<[StreamId, ExportFilters, string | undefined, string[]]>([
    ['interactiveSignIns', { user: 'ana@contoso.example' }, "userPrincipalName eq 'ana@contoso.example'", []],
    ['interactiveSignIns', { user: GUID }, `userId eq '${GUID}'`, []],
    ['interactiveSignIns', { user: 'ana*' }, "startswith(userPrincipalName, 'ana')", []],
    ['interactiveSignIns', { application: 'Microsoft Teams*' }, "startswith(appDisplayName, 'Microsoft Teams')", []],
    ['servicePrincipalSignIns', { application: GUID }, `appId eq '${GUID}'`, []],
    ['interactiveSignIns', { status: 'success' }, 'status/errorCode eq 0', []],
    ['interactiveSignIns', { status: 'failure' }, undefined, ['status']],
    ['nonInteractiveSignIns', { status: 'interrupted', ipAddress: '203.0.113.*' }, "startswith(ipAddress, '203.0.113.')", ['status']],
    ['interactiveSignIns', { correlationId: GUID, ipAddress: '2001:db8::1' }, `ipAddress eq '2001:db8::1' and correlationId eq '${GUID}'`, []],
    ['audit', { user: GUID, activity: 'Update user' }, `initiatedBy/user/id eq '${GUID}' and activityDisplayName eq 'Update user'`, []],
    ['audit', { user: 'ana@*' }, "startswith(initiatedBy/user/userPrincipalName, 'ana@')", []],
    ['audit', { application: GUID }, `initiatedBy/app/appId eq '${GUID}'`, []],
    ['audit', { application: 'Azure Logic*' }, undefined, ['application']],
    ['audit', { category: 'UserManagement', status: 'failure', ipAddress: '198.51.100.7' }, undefined, ['status', 'ipAddress', 'category']],
    ['audit', { service: 'Core Directory' }, "loggedByService eq 'Core Directory'", []],
    ['audit', { service: 'Core*' }, undefined, ['service']],
    ['audit', { target: GUID }, `targetResources/any(t: t/id eq '${GUID}')`, []],
    ['audit', { target: 'ana@contoso.example', initiatedBy: 'Azure*' }, undefined, ['initiatedBy', 'target']],
    ['provisioning', { status: 'failure', action: 'create' }, "provisioningStatusInfo/status eq 'failure' and provisioningAction eq 'create'", []],
    ['provisioning', { identity: 'Ana', application: 'ServiceNow' }, undefined, ['application', 'identity']],
  ])('%s %j → %s', (stream, filters, graphFilter, whileWriting) => {
    const compiled = compileExportFilters(stream, filters);
    expect(compiled.graphFilter).toBe(graphFilter);
    expect(compiled.appliedWhileWriting).toEqual(whileWriting);
    expect([...compiled.sentToGraph, ...compiled.appliedWhileWriting].sort()).toEqual(Object.keys(filters).sort());
  });

  it("escapes quotes, so a value cannot end the literal and add terms of its own", () => {
    const injection = "x' or userId ne 'y";
    const compiled = compileExportFilters('interactiveSignIns', { user: injection });
    expect(compiled.graphFilter).toBe("userPrincipalName eq 'x'' or userId ne ''y'");
    const plan = buildPlan('signIns', 'beta', { filter: compiled.graphFilter as string, orderby: '', top: 10, select: '' }, { nowMs: Date.now(), retentionDays: 30 });
    expect(plan.predicate?.({ userPrincipalName: injection })).toBe(true);
    expect(plan.predicate?.({ userPrincipalName: 'x', userId: 'z' })).toBe(false);
    expect(compileExportFilters('audit', { activity: "O'Brien's *" }).graphFilter).toBe("startswith(activityDisplayName, 'O''Brien''s ')");
  });

  it("every term a filter sends is one that the simulator's copy of Graph's rules accepts", () => {
    const samples: Record<string, string[]> = {
      user: ['ana@contoso.example', 'ana*', GUID],
      application: ['Microsoft Teams', 'Micro*', GUID],
      status: ['success', 'failure', 'interrupted', 'skipped', 'warning'],
      ipAddress: ['203.0.113.7', '203.0.*'],
      correlationId: [GUID],
      category: ['UserManagement', 'User*'],
      activity: ['Update user', 'Update*'],
      service: ['Core Directory', 'Core*'],
      initiatedBy: ['ana@contoso.example'],
      target: [GUID, 'Finance*'],
      identity: ['Ana', GUID],
      action: ['create', 'stagedDelete'],
    };
    let checked = 0;
    for (const stream of STREAM_IDS) {
      const version = STREAMS[stream].graphVersion;
      for (const name of filterNames(stream)) {
        for (const value of samples[name]) {
          let compiled;
          try {
            compiled = compileExportFilters(stream, { [name]: value });
          } catch {
            continue; // a value this stream does not take (status words differ per stream)
          }
          if (!compiled.graphFilter) continue;
          expect(() => buildPlan(endpointOf(stream), version, { filter: compiled.graphFilter as string, orderby: '', top: 10, select: '' }, { nowMs: Date.now(), retentionDays: 30 })).not.toThrow();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});

describe('matching records while writing', () => {
  const signIn = (errorCode: number, extra: Record<string, unknown> = {}) => ({
    userId: GUID, userPrincipalName: 'Ana@Contoso.example', appId: GUID, appDisplayName: 'Microsoft Teams', ipAddress: '203.0.113.7',
    correlationId: GUID.toUpperCase(), status: { errorCode }, ...extra,
  });

  it('sign-in status follows the admin center: 0 success, interrupt codes interrupted, any other code failure', () => {
    const is = (status: string, record: Record<string, unknown>) => compileExportFilters('interactiveSignIns', { status }).matches(record);
    expect(is('success', signIn(0))).toBe(true);
    expect(is('failure', signIn(50126))).toBe(true);
    expect(is('failure', signIn(50074))).toBe(false);
    expect(is('interrupted', signIn(50074))).toBe(true);
    expect(is('interrupted', signIn(50140))).toBe(true);
    expect(is('success', { status: null })).toBe(false);
    expect(is('failure', {})).toBe(false);
  });

  it('ignores case, honours the * prefix, and uses the id property for a GUID', () => {
    const matches = (filters: ExportFilters, record: Record<string, unknown>) => compileExportFilters('interactiveSignIns', filters).matches(record);
    expect(matches({ user: 'ana@contoso.EXAMPLE' }, signIn(0))).toBe(true);
    expect(matches({ user: 'ana@contoso' }, signIn(0))).toBe(false);
    expect(matches({ user: 'ANA@*' }, signIn(0))).toBe(true);
    expect(matches({ user: GUID.toUpperCase() }, signIn(0))).toBe(true);
    expect(matches({ user: GUID }, signIn(0, { userId: 'other' }))).toBe(false);
    expect(matches({ application: 'microsoft teams' }, signIn(0))).toBe(true);
    expect(matches({ correlationId: GUID }, signIn(0))).toBe(true);
    expect(matches({ ipAddress: '203.0.113.*', status: 'failure' }, signIn(0))).toBe(false);
    expect(matches({ ipAddress: '203.0.113.*', status: 'success' }, signIn(0))).toBe(true);
    expect(matches({ user: 'ana*' }, signIn(0, { userPrincipalName: null }))).toBe(false);
  });

  it('audit: actor of either kind, any target by id, name or user principal name, result, category', () => {
    const audit = {
      category: 'UserManagement', result: 'failure', activityDisplayName: 'Update user', loggedByService: 'Core Directory',
      initiatedBy: { user: null, app: { appId: null, displayName: 'Azure Logic Apps', servicePrincipalId: GUID } },
      targetResources: [{ id: 'a', displayName: null, userPrincipalName: 'bob@contoso.example' }, { id: GUID, displayName: 'Finance team' }],
    };
    const matches = (filters: ExportFilters) => compileExportFilters('audit', filters).matches(audit);
    expect(matches({ initiatedBy: 'azure logic*' })).toBe(true);
    expect(matches({ initiatedBy: GUID })).toBe(true);
    expect(matches({ user: 'ana*' })).toBe(false);
    expect(matches({ target: 'BOB@contoso.example' })).toBe(true);
    expect(matches({ target: 'Finance*' })).toBe(true);
    expect(matches({ target: GUID })).toBe(true);
    expect(matches({ target: 'Sales*' })).toBe(false);
    expect(matches({ status: 'failure', category: 'usermanagement', service: 'core directory' })).toBe(true);
    expect(matches({ status: 'success' })).toBe(false);
    expect(matches({ ipAddress: '198.51.100.*' })).toBe(false);
  });

  it('provisioning: identity on either side, by id or name; status and action', () => {
    const record = {
      provisioningAction: 'create', provisioningStatusInfo: { status: 'failure' }, servicePrincipal: { id: GUID, displayName: 'ServiceNow' },
      sourceIdentity: { id: 'src-1', displayName: 'Ana Lima' }, targetIdentity: { id: '', displayName: 'Ana Lima' },
    };
    const matches = (filters: ExportFilters) => compileExportFilters('provisioning', filters).matches(record);
    expect(matches({ identity: 'ana lima', status: 'failure', action: 'create', application: 'servicenow' })).toBe(true);
    expect(matches({ identity: 'SRC-1' })).toBe(true);
    expect(matches({ action: 'delete' })).toBe(false);
    expect(matches({ application: GUID })).toBe(true);
  });
});
