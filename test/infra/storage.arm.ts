import { JOBS_QUEUE_NAME } from '../../src/functions/registry';
import { at, compileDeployment } from './support/armTemplate';

const STORAGE = 'Microsoft.Storage/storageAccounts';

describe('storage account', () => {
  const deployment = compileDeployment();
  const account = deployment.single(STORAGE);

  test('is hardened: no shared keys, TLS 1.2, HTTPS only, no public blobs, OAuth by default, no cross-tenant replication', () => {
    expect(at(account.body, 'properties.allowSharedKeyAccess')).toBe(false);
    expect(at(account.body, 'properties.minimumTlsVersion')).toBe('TLS1_2');
    expect(at(account.body, 'properties.supportsHttpsTrafficOnly')).toBe(true);
    expect(at(account.body, 'properties.allowBlobPublicAccess')).toBe(false);
    expect(at(account.body, 'properties.defaultToOAuthAuthentication')).toBe(true);
    expect(at(account.body, 'properties.allowCrossTenantReplication')).toBe(false);
  });

  test('has the deployment package and exports containers, both private', () => {
    const containers = deployment.ofType(`${STORAGE}/blobServices/containers`);
    expect(containers.map((c) => c.name.split('/').pop()).sort()).toEqual(['app-package', 'exports']);
    for (const c of containers) expect(at(c.body, 'properties.publicAccess')).toBe('None');
  });

  test('has the job queue of the queue trigger and its poison queue', () => {
    const queues = deployment.ofType(`${STORAGE}/queueServices/queues`).map((q) => q.name.split('/').pop());
    expect(queues.sort()).toEqual([JOBS_QUEUE_NAME, `${JOBS_QUEUE_NAME}-poison`]);
  });

  test('has the jobs, streams, link audit and Graph budget tables', () => {
    const tables = deployment.ofType(`${STORAGE}/tableServices/tables`).map((t) => t.name.split('/').pop());
    expect(tables.sort()).toEqual(['graphbudget', 'jobs', 'linkaudit', 'streams']);
  });

  test('the Flex deployment container lives in this account and is reached with the user-assigned identity', () => {
    const site = deployment.single('Microsoft.Web/sites');
    expect(String(at(site.body, 'properties.functionAppConfig.deployment.storage.value'))).toMatch(/primaryEndpoints\.blob>app-package$/);
    expect(at(site.body, 'properties.functionAppConfig.deployment.storage.authentication.type')).toBe('UserAssignedIdentity');
  });
});

describe('exports lifecycle', () => {
  const rule = (params: Record<string, unknown> = {}) => {
    const policy = compileDeployment(params).single('Microsoft.Storage/storageAccounts/managementPolicies');
    const rules = at(policy.body, 'properties.policy.rules') as { definition: unknown; enabled: boolean }[];
    expect(rules).toHaveLength(1);
    return rules[0];
  };

  test('tiers exports to Cool after 30 days, Cold after 90, deletes them after 7 years, and does not archive by default', () => {
    const r = rule();
    expect(r.enabled).toBe(true);
    expect(at(r.definition, 'filters.prefixMatch')).toEqual(['exports/']);
    expect(at(r.definition, 'filters.blobTypes')).toEqual(['blockBlob']);
    expect(at(r.definition, 'actions.baseBlob')).toEqual({
      tierToCool: { daysAfterModificationGreaterThan: 30 },
      tierToCold: { daysAfterModificationGreaterThan: 90 },
      delete: { daysAfterModificationGreaterThan: 2555 },
    });
  });

  test('archives only when asked to, after the configured days', () => {
    const r = rule({ exportsArchiveEnabled: true, exportsDeleteAfterDays: 3650 });
    expect(at(r.definition, 'actions.baseBlob.tierToArchive')).toEqual({ daysAfterModificationGreaterThan: 180 });
    expect(at(r.definition, 'actions.baseBlob.delete')).toEqual({ daysAfterModificationGreaterThan: 3650 });
  });
});

describe('exports immutability', () => {
  const POLICY = 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies';

  test('is off by default', () => {
    expect(compileDeployment().ofType(POLICY)).toHaveLength(0);
  });

  test('creates an unlocked time-based policy on the exports container when a period is given', () => {
    const policies = compileDeployment({ exportsImmutabilityDays: 400 }).ofType(POLICY);
    expect(policies).toHaveLength(1);
    expect(policies[0].name).toMatch(/\/default\/exports\/default$/);
    expect(at(policies[0].body, 'properties.immutabilityPeriodSinceCreationInDays')).toBe(400);
    // `state` is read-only: the policy is created Unlocked and locking is a separate, deliberate action.
    expect(at(policies[0].body, 'properties.state')).toBeUndefined();
  });
});
