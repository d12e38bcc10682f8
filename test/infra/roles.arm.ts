import { at, compileDeployment, DeployedResource } from './support/armTemplate';

/** Built-in role ids as documented (reference table of the platform notes). */
const BUILT_IN = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

const MANAGEMENT_ROLES = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
};

const ACCOUNT = /\/providers\/Microsoft\.Storage\/storageAccounts\/st[^/]+$/;
const under = (path: string) => new RegExp(`/providers/Microsoft\\.Storage/storageAccounts/st[^/]+/${path}$`);

/** The role's id: a built-in GUID, or `custom:<name>` for a role the template defines. */
const roleOf = (a: DeployedResource): string => {
  const id = String(at(a.body, 'properties.roleDefinitionId'));
  const builtIn = /\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/.exec(id);
  if (builtIn) return builtIn[1];
  const custom = /\/resourceGroups\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/<unresolved:guid\(resourceGroup\(\)\.id, '([a-z-]+)'\)>$/.exec(id);
  if (custom) return `custom:${custom[1]}`;
  throw new Error(`role definition id ${id} is neither built-in nor one of the template's custom roles`);
};

describe('role assignments', () => {
  const deployment = compileDeployment();
  const assignments = deployment.ofType('Microsoft.Authorization/roleAssignments');
  const scopesOf = (role: string) => assignments.filter((a) => roleOf(a) === role).map((a) => String(a.body.scope));

  test('grant no management-plane role', () => {
    for (const [name, id] of Object.entries(MANAGEMENT_ROLES)) expect({ name, granted: assignments.map(roleOf).includes(id) }).toEqual({ name, granted: false });
  });

  test('no storage data role covers the whole account: only the user delegation key is asked for there', () => {
    const accountWide = assignments.filter((a) => ACCOUNT.test(String(a.body.scope))).map(roleOf);
    expect(accountWide).toEqual([BUILT_IN.storageBlobDelegator]);
  });

  test('Blob Data Owner only on the host\'s containers and the deployment package, never on exports', () => {
    expect(scopesOf(BUILT_IN.storageBlobDataOwner).map((s) => s.split('/').pop()).sort()).toEqual(['app-package', 'azure-webjobs-hosts', 'azure-webjobs-secrets']);
    for (const scope of scopesOf(BUILT_IN.storageBlobDataOwner)) expect(scope).toMatch(under('blobServices/default/containers/[a-z-]+'));
    for (const broad of [BUILT_IN.storageBlobDataContributor, BUILT_IN.storageBlobDataReader]) expect(scopesOf(broad)).toEqual([]);
  });

  test('exports: a custom role that reads, creates and writes blobs in the exports container, and cannot delete them', () => {
    expect(scopesOf('custom:entra-log-exporter-exports-writer')).toEqual([expect.stringMatching(under('blobServices/default/containers/exports'))]);
    const role = deployment.ofType('Microsoft.Authorization/roleDefinitions').find((r) => String(at(r.body, 'properties.roleName')).includes('exports writer')) as DeployedResource;
    const [permissions] = at(role.body, 'properties.permissions') as Array<{ actions: string[]; dataActions: string[] }>;
    expect(permissions.actions).toEqual([]);
    expect(permissions.dataActions.sort()).toEqual(
      ['blobs/add/action', 'blobs/read', 'blobs/write'].map((a) => `Microsoft.Storage/storageAccounts/blobServices/containers/${a}`).sort(),
    );
    expect(at(role.body, 'properties.assignableScopes')).toHaveLength(1);
  });

  test('link audit: a custom role that reads, inserts and deletes rows, and cannot alter one', () => {
    expect(scopesOf('custom:entra-log-exporter-link-audit-appender')).toEqual([expect.stringMatching(under('tableServices/default/tables/linkaudit'))]);
    const role = deployment.ofType('Microsoft.Authorization/roleDefinitions').find((r) => String(at(r.body, 'properties.roleName')).includes('link audit')) as DeployedResource;
    const [permissions] = at(role.body, 'properties.permissions') as Array<{ actions: string[]; dataActions: string[] }>;
    expect(permissions.actions).toEqual([]);
    expect(permissions.dataActions.map((a) => a.replace('Microsoft.Storage/storageAccounts/tableServices/tables/entities/', '')).sort()).toEqual(['add/action', 'delete', 'read']);
  });

  test('custom role names are unique per resource group (role names are unique in a tenant)', () => {
    for (const role of deployment.ofType('Microsoft.Authorization/roleDefinitions')) {
      expect(String(at(role.body, 'properties.roleName'))).toContain('<unresolved:resourceGroup().name>');
      expect(at(role.body, 'properties.type')).toBe('CustomRole');
    }
  });

  test('queues and tables: contributor roles on each queue and on the state and budget tables only', () => {
    expect(scopesOf(BUILT_IN.storageQueueDataContributor).map((s) => s.split('/').pop()).sort()).toEqual(['export-jobs', 'export-jobs-poison']);
    for (const scope of scopesOf(BUILT_IN.storageQueueDataContributor)) expect(scope).toMatch(under('queueServices/default/queues/[a-z-]+'));
    expect(scopesOf(BUILT_IN.storageTableDataContributor).map((s) => s.split('/').pop()).sort()).toEqual(['graphbudget', 'jobs', 'streams']);
    for (const scope of scopesOf(BUILT_IN.storageTableDataContributor)) expect(scope).toMatch(under('tableServices/default/tables/[a-z]+'));
  });

  test('the telemetry role is on the app\'s Application Insights component', () => {
    expect(scopesOf(BUILT_IN.monitoringMetricsPublisher)).toEqual([expect.stringMatching(/\/providers\/Microsoft\.Insights\/components\/appi-entraexp-[^/]+$/)]);
  });

  test('every assignment is for the app\'s user-assigned identity, as a service principal, with a stated reason', () => {
    for (const a of assignments) {
      expect(String(at(a.body, 'properties.principalId'))).toMatch(/userAssignedIdentities', parameters\('identityName'\)\), '[\d-]+'\)\.principalId>$/);
      expect(at(a.body, 'properties.principalType')).toBe('ServicePrincipal');
      expect(String(at(a.body, 'properties.description')).length).toBeGreaterThan(10);
    }
  });

  test('assignment names are stable across redeployments (derived from scope, identity and role)', () => {
    for (const a of assignments) expect(a.name).toMatch(/^<unresolved:guid\(resourceId\('Microsoft\.(Storage|Insights)\/.*userAssignedIdentities.*\)>$/);
  });
});
