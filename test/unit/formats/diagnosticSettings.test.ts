import { planFiles } from '../../../src/formats';
import { createDiagnosticSettingsEncoder } from '../../../src/formats/diagnosticSettings';
import type { GraphRecord } from '../../../src/formats/types';
import { dataBlobName } from '../../../src/export/jobIds';
import { STREAMS, type StreamId } from '../../../src/streams/catalog';
import { formatInstant, parseInstant } from '../../../src/time/instant';
import { encodeFile, loadRecords } from './formatTestSupport';

const TENANT = 'dddddddd-0000-0000-0000-000000000001';
const options = { neutralizeFormulas: true, tenantId: TENANT };

/** The envelope fields, in the order Azure Monitor writes them (docs/formats.md). */
const FIELD_ORDER = ['time', 'resourceId', 'operationName', 'operationVersion', 'category', 'tenantId', 'resultType', 'resultSignature', 'resultDescription', 'durationMs', 'callerIpAddress', 'correlationId', 'identity', 'Level', 'location', 'properties'];

function lines(stream: StreamId, records: GraphRecord[], batchSizes: number[] = []): Array<Record<string, unknown>> {
  const [file] = planFiles(stream, ['diag'], options);
  const text = encodeFile(file.encoder, records, batchSizes).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('diagnostic-settings layout (diag)', () => {
  it.each([
    ['audit', 'audit.json', 'AuditLogs'],
    ['interactiveSignIns', 'signins-interactive.json', 'SignInLogs'],
    ['servicePrincipalSignIns', 'signins-serviceprincipal.json', 'ServicePrincipalSignInLogs'],
    ['managedIdentitySignIns', 'signins-managedidentity.json', 'ManagedIdentitySignInLogs'],
    ['provisioning', 'provisioning.json', 'ProvisioningLogs'],
  ] as const)('%s: one envelope per line, category %s, the Graph record unchanged in properties', (stream, fixture, category) => {
    const records = loadRecords(fixture);
    for (const sizes of [[], [1], [0, 1, 0]]) {
      const out = lines(stream, records, sizes);
      expect(out).toHaveLength(records.length);
      out.forEach((envelope, i) => {
        expect(envelope).toMatchObject({
          resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
          operationVersion: '1.0',
          category,
          tenantId: TENANT,
          Level: 4,
        });
        expect(envelope.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
        expect(envelope.properties).toEqual(JSON.parse(JSON.stringify(records[i])));
        const keys = Object.keys(envelope);
        expect(keys).toEqual(FIELD_ORDER.filter((k) => keys.includes(k)));
      });
    }
  });

  it('non-interactive user sign-ins are NonInteractiveUserSignInLogs', () => {
    const records = loadRecords('signins-interactive.json');
    expect(lines('nonInteractiveSignIns', records).map((r) => r.category)).toEqual(records.map(() => 'NonInteractiveUserSignInLogs'));
  });

  it('sign-ins: result, caller, identity and location come from the Graph record', () => {
    const [success, interrupted, failed] = lines('interactiveSignIns', loadRecords('signins-interactive.json'));
    expect(success).toMatchObject({ operationName: 'Sign-in activity', resultType: '0', resultSignature: 'None', durationMs: 0, callerIpAddress: '203.0.113.27' });
    expect(success).not.toHaveProperty('resultDescription');
    expect(interrupted).toMatchObject({ resultType: '50140', resultDescription: "This error occurred due to 'Keep me signed in' interrupt when the user was signing in." });
    expect(failed).toMatchObject({ resultType: '50126' });
    expect(failed).not.toHaveProperty('callerIpAddress');
    const record = loadRecords('signins-interactive.json')[0];
    expect(success.time).toBe(formatInstant(parseInstant(String(record.createdDateTime)), 7));
    expect(success.identity).toBe(record.userDisplayName);
    expect(success.location).toBe((record.location as { countryOrRegion: string }).countryOrRegion);
  });

  it('service-principal and managed-identity sign-ins carry no identity; an empty IP address is left out', () => {
    const [sp] = lines('servicePrincipalSignIns', loadRecords('signins-serviceprincipal.json'));
    expect(sp).not.toHaveProperty('identity');
    expect(sp).toMatchObject({ resultType: '7000215', resultDescription: 'Invalid client secret provided.', callerIpAddress: '2001:db8::1', location: 'AU' });
    const [mi] = lines('managedIdentitySignIns', loadRecords('signins-managedidentity.json'));
    expect(mi).not.toHaveProperty('identity');
    expect(mi).not.toHaveProperty('callerIpAddress');
    expect(mi).not.toHaveProperty('resultDescription');
    expect(mi.time).toBe('2025-11-04T09:00:00.0000000Z');
  });

  it('audit: operationName is the activity, identity and caller are the initiator', () => {
    const records = loadRecords('audit.json');
    const [byUser, byApp] = lines('audit', records);
    expect(byUser).toMatchObject({ operationName: records[0].activityDisplayName, resultSignature: 'None', durationMs: 0, identity: 'Zoë Ångström, Admin', callerIpAddress: '203.0.113.7' });
    expect(byApp).toMatchObject({ operationName: records[1].activityDisplayName, identity: 'Provisioning Agent' });
    expect(byApp).not.toHaveProperty('callerIpAddress');
    expect(byUser).not.toHaveProperty('resultType');
    expect(byUser).not.toHaveProperty('location');
  });

  it('provisioning: result from the status, duration, correlation by changeId, identity the record id', () => {
    const records = loadRecords('provisioning.json');
    const [first] = lines('provisioning', records);
    expect(first).toMatchObject({ operationName: 'Provisioning activity', resultType: 'Failure', durationMs: 1234, correlationId: 'change-1', identity: 'prov-0001', time: '2024-07-23T18:09:04.1234567Z' });
    expect(first).not.toHaveProperty('resultSignature');
  });

  it('the files are named .json (PT1H.json-style JSON Lines), beside the JSON array without clashing', () => {
    const planned = planFiles('audit', ['json', 'diag', 'diag.gz'], options);
    expect(planned.map((p) => p.encoder.key)).toEqual(['json', 'diag', 'diag-gz']);
    const names = planned.map((p) => dataBlobName('audit/2026/11/27/audit_x_y', p.encoder.blobSuffix, p.encoder.extension, p.gzip));
    expect(names).toEqual(['audit/2026/11/27/audit_x_y.json', 'audit/2026/11/27/audit_x_y_diag.json', 'audit/2026/11/27/audit_x_y_diag.json.gz']);
    // SOF-ELK's Filebeat input for Azure reads **/*.json and **/*.json.gz.
    for (const name of names.slice(1)) expect(name).toMatch(/\.json(\.gz)?$/);
  });

  it('the fields SOF-ELK\'s Azure pipeline reads are where it looks for them', () => {
    // configfiles/6801-azure.conf (philhagen/sof-elk): dispatch on category, date from time, the renamed fields.
    const signIn = lines('interactiveSignIns', loadRecords('signins-interactive.json'))[0];
    for (const path of ['time', 'category', 'tenantId', 'resultType', 'resultSignature', 'callerIpAddress', 'correlationId', 'location', 'operationName', 'properties.appId', 'properties.appDisplayName', 'properties.clientAppUsed', 'properties.status.errorCode', 'properties.userAgent', 'properties.userDisplayName', 'properties.userId', 'properties.userPrincipalName']) {
      expect({ path, present: at(signIn, path) !== undefined }).toEqual({ path, present: true });
    }
    expect(['SignInLogs', 'ManagedIdentitySignInLogs', 'NonInteractiveUserSignInLogs', 'ServicePrincipalSignInLogs']).toContain(signIn.category);
    const audit = lines('audit', loadRecords('audit.json'))[0];
    for (const path of ['time', 'category', 'tenantId', 'resourceId', 'operationName', 'resultSignature', 'callerIpAddress', 'correlationId', 'identity', 'properties.activityDisplayName', 'properties.category', 'properties.initiatedBy.user.userPrincipalName', 'properties.loggedByService', 'properties.operationType', 'properties.result', 'properties.targetResources']) {
      expect({ path, present: at(audit, path) !== undefined }).toEqual({ path, present: true });
    }
    expect(audit.category).toBe('AuditLogs');
  });

  it('refuses to start without the tenant id, naming AZURE_TENANT_ID', () => {
    expect(() => createDiagnosticSettingsEncoder('diag', STREAMS.audit, undefined)).toThrow(/AZURE_TENANT_ID/);
    expect(() => planFiles('audit', ['diag'], { neutralizeFormulas: true, tenantId: 'contoso' })).toThrow(/not a GUID/);
    expect(() => planFiles('audit', ['jsonl'], { neutralizeFormulas: true })).not.toThrow();
  });
});

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
