import { encodeRecords, planFiles } from '../../../src/formats';
import { encodeFile, loadRecords, parseCsv, rowObject } from './formatTestSupport';

describe('provisioning CSV files', () => {
  const records = loadRecords('provisioning.json');
  const [main, steps, modified] = planFiles('provisioning', ['csv'], { neutralizeFormulas: true }).map((p) => p.encoder);

  it('plans the three files with their portal prefixes', () => {
    expect([main.key, steps.key, modified.key]).toEqual(['csv', 'csv-steps', 'csv-modifiedproperties']);
    expect([main.portalPrefix, steps.portalPrefix, modified.portalPrefix]).toEqual([
      'ProvisioningLogs',
      'ProvisioningLogs_ProvisioningSteps',
      'ProvisioningLogs_ModifiedProperties',
    ]);
  });

  it('ProvisioningLogs: one row per event', () => {
    const [header, ...rows] = parseCsv(encodeFile(main, records, [1]));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toHaveLength(header.length);
    const [first, second] = rows.map((row) => rowObject(header, row));
    expect(first).toMatchObject({
      'Date (UTC)': '2024-07-23T18:09:04.1234567Z',
      ID: 'prov-0001',
      'Change ID': 'change-1',
      'Cycle ID': 'cycle-1',
      'Job ID': 'scim.0001.job',
      Action: 'Create',
      Status: 'Failure',
      'Source System': 'Azure Active Directory',
      'Target System': 'ServiceNow',
      'Source Identity ID': 'user-1',
      'Source Identity Name': 'Jürgen "JJ" Müller',
      'Target Identity Type': 'urn:ietf:params:scim:schemas:core:2.0:User',
      'Initiated by': 'Azure AD Provisioning Service',
      'Initiator type': 'System',
      'Error code': 'SystemForCrossDomainIdentityManagementBadRequest',
      'Error reason': 'The target returned 400,\nBad Request',
      'Error additional details': "'=1+1",
      'Error category': 'Non-service failure',
      'Recommended action': 'Check the attribute mappings.',
      'Duration (ms)': '1234',
      'Tenant ID': 'dddddddd-0000-0000-0000-000000000001',
      'Service principal ID': 'sp-1',
      'Service principal name': 'ServiceNow, prod',
    });
    expect(second).toMatchObject({ Action: 'Update', Status: 'Skipped', 'Error code': '', 'Duration (ms)': '' });
  });

  it('ProvisioningLogs_ProvisioningSteps: one row per step, keyed by Change ID', () => {
    const [header, ...rows] = parseCsv(encodeFile(steps, records));
    expect(header).toEqual(['Change ID', 'Step', 'Name', 'Type', 'Status', 'Description', 'Details']);
    expect(rows).toEqual([
      ['change-1', '1', 'EntryImport', 'Import', 'Success', 'Retrieved Jürgen from Azure AD', '{"ReportableIdentifier":"jurgen@contoso.example"}'],
      ['change-1', '2', 'EntrySynchronizationScoping', 'Scoping', 'Success', 'In scope', '{}'],
      ['change-1', '3', 'EntryExportAdd', 'Export', 'Failure', 'Failed to create', ''],
    ]);
    expect(encodeRecords(steps, records, { recordsWritten: 0 }).rows).toBe(3);
  });

  it('ProvisioningLogs_ModifiedProperties: one row per property, keyed by Change ID', () => {
    const [header, ...rows] = parseCsv(encodeFile(modified, records));
    expect(header).toEqual(['Change ID', 'Name', 'Old value', 'New value']);
    expect(rows).toEqual([
      ['change-1', 'displayName', '', 'Jürgen "JJ" Müller'],
      ['change-1', 'department', '', "'-Ops"],
    ]);
  });
});
