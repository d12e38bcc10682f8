import type { StreamId } from '../../src/streams/catalog';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import { getAll, iso, listUrl, NOW, startTestSimulator } from './graphClient';

const START = iso(NOW - 4 * 3_600_000);
const END = iso(NOW - 3_600_000);

const BETA_SIGN_IN_KEYS = [
  'id', 'createdDateTime', 'userDisplayName', 'userPrincipalName', 'userId', 'appId', 'appDisplayName', 'ipAddress', 'clientAppUsed',
  'userAgent', 'correlationId', 'conditionalAccessStatus', 'originalRequestId', 'isInteractive', 'tokenIssuerName', 'tokenIssuerType',
  'clientCredentialType', 'processingTimeInMilliseconds', 'riskDetail', 'riskLevelAggregated', 'riskLevelDuringSignIn', 'riskState',
  'riskEventTypes_v2', 'resourceDisplayName', 'resourceId', 'resourceTenantId', 'homeTenantId', 'homeTenantName', 'authenticationMethodsUsed',
  'authenticationRequirement', 'signInIdentifier', 'signInIdentifierType', 'servicePrincipalName', 'signInEventTypes', 'servicePrincipalId',
  'federatedCredentialId', 'userType', 'flaggedForReview', 'isTenantRestricted', 'autonomousSystemNumber', 'crossTenantAccessType',
  'servicePrincipalCredentialKeyId', 'servicePrincipalCredentialThumbprint', 'uniqueTokenIdentifier', 'incomingTokenType',
  'authenticationProtocol', 'resourceServicePrincipalId', 'signInTokenProtectionStatus', 'originalTransferMethod', 'isThroughGlobalSecureAccess',
  'globalSecureAccessIpAddress', 'mfaDetail', 'authenticationAppDeviceDetails', 'status', 'deviceDetail', 'location',
  'appliedConditionalAccessPolicies', 'authenticationContextClassReferences', 'authenticationProcessingDetails', 'networkLocationDetails',
  'authenticationDetails', 'authenticationRequirementPolicies', 'sessionLifetimePolicies', 'privateLinkDetails', 'appliedEventListeners',
  'authenticationAppPolicyEvaluationDetails', 'managedServiceIdentity', 'conditionalAccessAudiences', 'tokenProtectionStatusDetails', 'agent',
  'appOwnerTenantId', 'azureResourceId', 'clientSessionId', 'ipAddressFromResourceProvider', 'resourceOwnerTenantId', 'sessionId',
];
const V1_SIGN_IN_KEYS = [
  'id', 'appDisplayName', 'appId', 'appliedConditionalAccessPolicies', 'authenticationAppDeviceDetails', 'clientAppUsed', 'conditionalAccessStatus',
  'correlationId', 'createdDateTime', 'deviceDetail', 'homeTenantId', 'ipAddress', 'isInteractive', 'location', 'resourceDisplayName', 'resourceId',
  'resourceTenantId', 'riskDetail', 'riskEventTypes', 'riskEventTypes_v2', 'riskLevelAggregated', 'riskLevelDuringSignIn', 'riskState',
  'servicePrincipalId', 'servicePrincipalName', 'status', 'userAgent', 'userDisplayName', 'userId', 'userPrincipalName',
];

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

describe('generated records', () => {
  let sim: SimulatorHandle;
  const records: Partial<Record<StreamId, Array<Record<string, unknown>>>> = {};
  beforeAll(async () => {
    sim = await startTestSimulator({ volume: { audit: 600, interactiveSignIns: 600, nonInteractiveSignIns: 600, servicePrincipalSignIns: 300, managedIdentitySignIns: 300, provisioning: 300 } });
    for (const stream of ['audit', 'interactiveSignIns', 'servicePrincipalSignIns', 'managedIdentitySignIns', 'provisioning'] as const) {
      records[stream] = [...sim.expectedRecords({ stream, start: START, end: END })];
    }
  });
  afterAll(() => sim.close());

  test('beta sign-ins carry the full beta schema; v1.0 serves the v1.0 subset', async () => {
    for (const record of records.interactiveSignIns ?? []) expect(Object.keys(record).sort()).toEqual([...BETA_SIGN_IN_KEYS].sort());
    const v1 = await getAll(listUrl(sim.url, '/v1.0/auditLogs/signIns', { $top: '50', $filter: `createdDateTime ge ${iso(NOW - 3_600_000 - 600_000)} and createdDateTime le ${END}` }));
    expect(v1.records.length).toBeGreaterThan(0);
    for (const record of v1.records) expect(Object.keys(record).sort()).toEqual([...V1_SIGN_IN_KEYS].sort());
    const withDetails = (records.interactiveSignIns ?? []).find((r) => (r.authenticationDetails as unknown[]).length > 1);
    expect(withDetails?.authenticationDetails).toEqual(expect.arrayContaining([expect.objectContaining({ authenticationMethod: 'Password', succeeded: true })]));
    const withPolicy = (records.interactiveSignIns ?? []).find((r) => (r.appliedConditionalAccessPolicies as unknown[]).length > 0);
    expect((withPolicy?.appliedConditionalAccessPolicies as Array<Record<string, unknown>>)[0]).toHaveProperty('includeRulesSatisfied');
    expect(withPolicy?.location).toHaveProperty('geoCoordinates.latitude');
  });

  test('service principal and managed identity sign-ins carry their identities', () => {
    const sp = records.servicePrincipalSignIns ?? [];
    expect(sp.length).toBeGreaterThan(0);
    for (const record of sp) {
      expect(record.signInEventTypes).toEqual(['servicePrincipal']);
      expect(record.servicePrincipalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(record.servicePrincipalName).toEqual(expect.any(String));
      expect(record.servicePrincipalCredentialKeyId).toMatch(/^[0-9a-f-]{36}$/);
      expect(record.isInteractive).toBe(false);
    }
    expect(sp.some((r) => /^[0-9A-F]{40}$/.test(String(r.servicePrincipalCredentialThumbprint)))).toBe(true);
    for (const record of records.managedIdentitySignIns ?? []) {
      expect(record.signInEventTypes).toEqual(['managedIdentity']);
      expect(['systemAssigned', 'userAssigned']).toContain((record.managedServiceIdentity as { msiType: string }).msiType);
      expect(record.azureResourceId).toMatch(/^\/subscriptions\//);
    }
  });

  test('audit events: Directory_ ids, user or app initiator, JSON-in-string modified properties, wide events', () => {
    const audit = records.audit ?? [];
    for (const record of audit) {
      expect(record.id).toMatch(/^Directory_[0-9a-f-]{36}_[A-Z0-9]{5}_\d{8}$/);
      const by = record.initiatedBy as { user: unknown; app: unknown };
      expect((by.user === null) !== (by.app === null)).toBe(true);
      for (const target of record.targetResources as Array<{ modifiedProperties: Array<{ newValue: string; oldValue: string | null }> }>) {
        for (const property of target.modifiedProperties) {
          expect(() => JSON.parse(property.newValue)).not.toThrow();
          if (property.oldValue !== null) expect(() => JSON.parse(property.oldValue as string)).not.toThrow();
        }
      }
    }
    expect(audit.some((r) => (r.initiatedBy as { app: unknown }).app !== null)).toBe(true);
    expect(audit.some((r) => (r.targetResources as unknown[]).length >= 4)).toBe(true);
    expect(audit.some((r) => (r.targetResources as Array<{ modifiedProperties: unknown[] }>).some((t) => t.modifiedProperties.length >= 6))).toBe(true);
    expect(audit.some((r) => (r.additionalDetails as unknown[]).length >= 7)).toBe(true);
  });

  test('provisioning events carry steps with details, status info and ids', () => {
    const provisioning = records.provisioning ?? [];
    expect(provisioning.length).toBeGreaterThan(0);
    for (const record of provisioning) {
      expect(record).toEqual(expect.objectContaining({ changeId: expect.any(String), cycleId: expect.any(String), jobId: expect.any(String) }));
      const steps = record.provisioningSteps as Array<{ details: Record<string, string>; provisioningStepType: string }>;
      expect(steps.map((s) => s.provisioningStepType)).toEqual(['import', 'scoping', 'export']);
      expect(Object.keys(steps[0].details)).toContain('ReportableIdentifier');
      expect(record.sourceIdentity).toHaveProperty('identityType', 'User');
      expect(record.targetSystem).toHaveProperty('displayName');
    }
    const failed = provisioning.find((r) => (r.provisioningStatusInfo as { status: string }).status === 'failure');
    expect((failed?.provisioningStatusInfo as { errorInformation: Record<string, unknown> }).errorInformation).toHaveProperty('errorCode');
  });

  test('hard values appear: non-ASCII, emoji, commas, quotes, line breaks, formula prefixes, nulls, empty arrays', () => {
    const all = Object.values(records).flat();
    const values = all.flatMap((r) => strings(r));
    expect(values.some((s) => s.includes('Zoë Ångström'))).toBe(true);
    expect(values.some((s) => /[\u4e00-\u9fff]/.test(s))).toBe(true);
    expect(values.some((s) => /\p{Extended_Pictographic}/u.test(s))).toBe(true);
    expect(values.some((s) => s.includes(','))).toBe(true);
    expect(values.some((s) => s.includes('"'))).toBe(true);
    expect(values.some((s) => s.includes('\r\n'))).toBe(true);
    expect(values.some((s) => /[^\r]\n/.test(s))).toBe(true);
    for (const prefix of ['=', '+', '-', '@', '\t']) expect(values.some((s) => s.startsWith(prefix))).toBe(true);
    const json = JSON.stringify(all);
    expect(json).toContain(':null');
    expect(json).toContain(':[]');
  });

  test('timestamps: mostly 7 fraction digits, some whole seconds, bursts of 50+ sharing one instant', () => {
    const times = (records.interactiveSignIns ?? []).map((r) => String(r.createdDateTime));
    expect(times.filter((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/.test(t)).length).toBeGreaterThan(times.length * 0.5);
    expect(times.some((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t))).toBe(true);
    const counts = new Map<string, number>();
    for (const t of times) counts.set(t, (counts.get(t) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(50);
  });

  test('the same seed generates the same records', async () => {
    const twin = await startTestSimulator({ volume: { audit: 600 } });
    try {
      expect([...twin.expectedRecords({ stream: 'audit', start: START, end: END })]).toEqual(records.audit);
    } finally {
      await twin.close();
    }
  });
});

describe('key order', () => {
  test('a few records list their properties in another order, as Graph sometimes does', async () => {
    const sim = await startTestSimulator({ volume: { audit: 600 } });
    try {
      const audit = [...sim.expectedRecords({ stream: 'audit', start: START, end: END })];
      const firstKeys = audit.map((r) => Object.keys(r)[0]);
      const usual = firstKeys.filter((k) => k === 'id').length;
      expect(usual).toBeGreaterThan(audit.length * 0.9);
      expect(usual).toBeLessThan(audit.length);
    } finally {
      await sim.close();
    }
  });
});
