import { at, compileDeployment, DeployedResource } from './support/armTemplate';

/** Built-in role ids as documented (reference table of the platform notes). */
const STORAGE_BLOB_DATA_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';
const STORAGE_QUEUE_DATA_CONTRIBUTOR = '974c5e8b-45b9-4653-ba55-5f855dd0fb88';
const STORAGE_TABLE_DATA_CONTRIBUTOR = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3';
const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb';

const MANAGEMENT_ROLES = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
};

const roleId = (r: DeployedResource): string => {
  const id = String(at(r.body, 'properties.roleDefinitionId'));
  const match = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/.exec(id);
  if (!match) throw new Error(`role definition id ${id} is not a built-in role reference`);
  return match[1];
};

describe('role assignments', () => {
  const assignments = compileDeployment().ofType('Microsoft.Authorization/roleAssignments');

  test('grant exactly the four data-plane roles the app needs, by their documented ids', () => {
    expect(assignments.map(roleId).sort()).toEqual(
      [STORAGE_BLOB_DATA_OWNER, STORAGE_QUEUE_DATA_CONTRIBUTOR, STORAGE_TABLE_DATA_CONTRIBUTOR, MONITORING_METRICS_PUBLISHER].sort(),
    );
  });

  test('grant no management-plane role', () => {
    for (const [name, id] of Object.entries(MANAGEMENT_ROLES)) expect({ name, granted: assignments.map(roleId).includes(id) }).toEqual({ name, granted: false });
  });

  test('storage roles are scoped to the app\'s storage account, the telemetry role to its Application Insights component', () => {
    const scopeOf = (role: string) => String(assignments.find((a) => roleId(a) === role)?.body.scope);
    for (const role of [STORAGE_BLOB_DATA_OWNER, STORAGE_QUEUE_DATA_CONTRIBUTOR, STORAGE_TABLE_DATA_CONTRIBUTOR]) {
      expect(scopeOf(role)).toMatch(/\/providers\/Microsoft\.Storage\/storageAccounts\/st[^/]+$/);
    }
    expect(scopeOf(MONITORING_METRICS_PUBLISHER)).toMatch(/\/providers\/Microsoft\.Insights\/components\/appi-entraexp-[^/]+$/);
  });

  test('every assignment is for the app\'s user-assigned identity, as a service principal, with a stated reason', () => {
    for (const a of assignments) {
      expect(String(at(a.body, 'properties.principalId'))).toMatch(/userAssignedIdentities', parameters\('identityName'\)\), '[\d-]+'\)\.principalId>$/);
      expect(at(a.body, 'properties.principalType')).toBe('ServicePrincipal');
      expect(String(at(a.body, 'properties.description')).length).toBeGreaterThan(10);
    }
  });

  test('assignment names are stable across redeployments (derived from scope, identity and role)', () => {
    for (const a of assignments) expect(a.name).toMatch(/^<unresolved:guid\(resourceId\(.*userAssignedIdentities.*variables\('roles'\)\.\w+\)>$/);
  });
});
