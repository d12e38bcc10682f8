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

  test('has the deployment package, exports and the host\'s containers (so roles can be scoped to them), all private', () => {
    const containers = deployment.ofType(`${STORAGE}/blobServices/containers`);
    expect(containers.map((c) => c.name.split('/').pop()).sort()).toEqual(['app-package', 'azure-webjobs-hosts', 'azure-webjobs-secrets', 'exports']);
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

describe('recoverable storage', () => {
  test('blob versioning is on, and deleted blobs and containers stay recoverable for 14 days by default', () => {
    const blob = compileDeployment().single(`${STORAGE}/blobServices`);
    expect(at(blob.body, 'properties.isVersioningEnabled')).toBe(true);
    expect(at(blob.body, 'properties.deleteRetentionPolicy')).toEqual({ enabled: true, days: 14 });
    expect(at(blob.body, 'properties.containerDeleteRetentionPolicy')).toEqual({ enabled: true, days: 14 });
  });

  test('previous versions are kept as long as soft delete, then removed by the lifecycle policy', () => {
    const policy = compileDeployment({ blobSoftDeleteDays: 30 }).single(`${STORAGE}/managementPolicies`);
    const rules = at(policy.body, 'properties.policy.rules') as Array<{ name: string; definition: unknown }>;
    const versions = rules.find((r) => r.name === 'previous-versions');
    expect(at(versions?.definition, 'actions')).toEqual({ version: { delete: { daysAfterCreationGreaterThan: 30 } } });
    expect(at(compileDeployment({ blobSoftDeleteDays: 30 }).single(`${STORAGE}/blobServices`).body, 'properties.deleteRetentionPolicy.days')).toBe(30);
  });
});

describe('download audit', () => {
  test('blob reads and deletes go to the Log Analytics workspace (every GetBlob through a link is recorded)', () => {
    const settings = compileDeployment().ofType('Microsoft.Insights/diagnosticSettings');
    const blob = settings.find((s) => String(s.body.scope).endsWith('/blobServices/default'));
    expect(blob).toBeDefined();
    expect(at(blob?.body, 'properties.logs')).toEqual([
      { category: 'StorageRead', enabled: true },
      { category: 'StorageDelete', enabled: true },
    ]);
    expect(String(at(blob?.body, 'properties.workspaceId'))).toMatch(/workspaceId|Microsoft\.OperationalInsights\/workspaces/);
  });
});

describe('exports lifecycle', () => {
  const rule = (params: Record<string, unknown> = {}) => {
    const policy = compileDeployment(params).single('Microsoft.Storage/storageAccounts/managementPolicies');
    const rules = at(policy.body, 'properties.policy.rules') as { name: string; definition: unknown; enabled: boolean }[];
    const exports = rules.filter((r) => r.name === 'exports-tiering-and-retention');
    expect(exports).toHaveLength(1);
    return exports[0];
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
    expect(compileDeployment().outputs().EXPORTS_IMMUTABILITY).toBe('off');
  });

  test('unlocked: creates an unlocked time-based policy on the exports container', () => {
    const policies = compileDeployment({ exportsImmutability: 'unlocked', exportsImmutabilityDays: 400 }).ofType(POLICY);
    expect(policies).toHaveLength(1);
    expect(policies[0].name).toMatch(/\/default\/exports\/default$/);
    expect(at(policies[0].body, 'properties.immutabilityPeriodSinceCreationInDays')).toBe(400);
    // `state` is read-only: the policy is created Unlocked and locking is a separate, deliberate action.
    expect(at(policies[0].body, 'properties.state')).toBeUndefined();
  });

  test('locked: one parameter; the template leaves the policy to the lock script azd runs after provisioning', () => {
    const deployment = compileDeployment({ exportsImmutability: 'locked' });
    // A locked policy cannot be written by a deployment, so a redeployment must not try.
    expect(deployment.ofType(POLICY)).toHaveLength(0);
    expect(deployment.outputs()).toMatchObject({ EXPORTS_IMMUTABILITY: 'locked', EXPORTS_IMMUTABILITY_DAYS: 2555 });
    expect(deployment.parameterDeclaration('exportsImmutability').allowedValues).toEqual(['off', 'unlocked', 'locked']);
  });
});
