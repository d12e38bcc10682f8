import { encodeRecords, planFiles } from '../../../src/formats';
import type { FileEncoder } from '../../../src/formats/types';
import type { StreamId } from '../../../src/streams/catalog';
import { encodeFile, loadRecords, parseCsv, rowObject } from './formatTestSupport';

function csvFiles(stream: StreamId, neutralizeFormulas = true): FileEncoder[] {
  return planFiles(stream, ['csv'], { neutralizeFormulas }).map((p) => p.encoder);
}

describe('user sign-in CSV', () => {
  const records = loadRecords('signins-interactive.json');
  const [main, authDetails] = csvFiles('interactiveSignIns');
  const [header, ...rows] = parseCsv(encodeFile(main, records, [1]));
  const byName = rows.map((row) => rowObject(header, row));

  it('writes one 57-column row per sign-in', () => {
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(57);
  });

  it('keeps values intact: non-ASCII, commas, quotes, CRLF inside a field, 7-digit times', () => {
    expect(byName[0]['Date (UTC)']).toBe('2024-07-23T15:37:27.1234567Z');
    expect(byName[0]['Request ID']).toBe('aaaaaaaa-0000-0000-0000-000000000001');
    expect(byName[0].User).toBe('Renée "Ren" O\'Brien, PhD');
    expect(byName[0]['User agent']).toBe('Mozilla/5.0 (X11; Linux x86_64)\r\nsecond line');
    expect(byName[0].Application).toBe('Office 365, Exchange');
    expect(byName[0]['Application ID ']).toBe('00000003-0000-0000-c000-000000000000');
    expect(byName[0]['App owner tenant ID']).toBe('dddddddd-0000-0000-0000-000000000003');
    expect(byName[0]['Resource owner tenant ID']).toBe('dddddddd-0000-0000-0000-000000000002');
    expect(byName[2]['Date (UTC)']).toBe('2024-07-23T15:39:00.5Z');
  });

  it('shows display words: Status, Location, Conditional Access, booleans, enums', () => {
    expect(byName.map((r) => r.Status)).toEqual(['Success', 'Interrupted', 'Failure']);
    expect(byName.map((r) => r['Sign-in error code'])).toEqual(['0', '50140', '50126']);
    expect(byName.map((r) => r['Conditional Access'])).toEqual(['Success', 'Not Applied', 'Failure']);
    expect(byName.map((r) => r.Location)).toEqual(['São Paulo, São Paulo, BR', 'DE', '']);
    expect(byName[0].Compliant).toBe('true');
    expect(byName[1].Managed).toBe('false');
    expect(byName[0]['User type']).toBe('Member');
    expect(byName[1]['User type']).toBe('Guest');
    expect(byName[1]['Cross tenant access type']).toBe('B2B collaboration, Passthrough');
    expect(byName[0]['Authentication requirement']).toBe('Multifactor authentication');
    expect(byName[0]['Token Protection - Sign In Session']).toBe('Unbound');
    expect(byName[0]['Token Protection - Sign In Session StatusCode']).toBe('1002');
    expect(byName[0]['Multifactor authentication result']).toBe('MFA requirement satisfied by claim in the token');
    expect(byName[0]['Multifactor authentication auth method']).toBe('Mobile app notification');
    expect(byName[0]['Autonomous system  number']).toBe('64500');
    expect(byName[0].Latency).toBe('158');
    expect(byName[0]['Join Type']).toBe('Azure AD joined');
    // Both "Incoming token type" columns carry the value.
    const incoming = header.flatMap((name, i) => (name === 'Incoming token type' ? [rows[0][i]] : []));
    expect(incoming).toEqual(['Primary Refresh Token', 'Primary Refresh Token']);
  });

  it('writes missing and null values as empty fields', () => {
    expect(byName[2].User).toBe('');
    expect(byName[2].Browser).toBe('');
    expect(byName[2]['Multifactor authentication auth method']).toBe('');
    expect(byName[2]['Managed Identity type']).toBe('');
  });

  it('neutralises formula cells by default and not when turned off', () => {
    expect(byName[1].User).toBe("'=cmd|' /C calc'!A0");
    expect(byName[1].Username).toBe("'@attacker");
    expect(byName[1].Application).toBe("'+SUM(1,2)");
    expect(byName[1]['IP address']).toBe("'-1+1");
    const [plainHeader, , plainRow] = parseCsv(encodeFile(csvFiles('interactiveSignIns', false)[0], records));
    const plain = rowObject(plainHeader, plainRow);
    expect(plain.User).toBe("=cmd|' /C calc'!A0");
    expect(plain.Username).toBe('@attacker');
  });

  it('AuthDetails: one row per authentication step, joined on Request ID, none for sign-ins without steps', () => {
    const [adHeader, ...adRows] = parseCsv(encodeFile(authDetails, records, [2]));
    expect(adHeader).toEqual([
      'Request ID',
      'Date',
      'Authentication method',
      'Authentication method detail',
      'Succeeded',
      'Result detail',
      'Requirement',
    ]);
    expect(adRows).toEqual([
      ['aaaaaaaa-0000-0000-0000-000000000001', '2024-07-23T15:37:20.1234567Z', 'Password', 'Password Hash Sync', 'true', 'Correct password', 'Primary authentication'],
      ['aaaaaaaa-0000-0000-0000-000000000001', '2024-07-23T15:37:26Z', 'Mobile app notification', '', 'false', 'MFA denied; user declined the authentication', 'Multi-factor authentication'],
      ['aaaaaaaa-0000-0000-0000-000000000001', '2024-07-23T15:37:27Z', 'Mobile app notification', '', 'true', 'MFA successfully completed', 'Multi-factor authentication'],
    ]);
    expect(encodeRecords(authDetails, records, { recordsWritten: 0 }).rows).toBe(3);
    expect(encodeRecords(authDetails, records.slice(1), { recordsWritten: 1 })).toMatchObject({ rows: 0 });
  });
});

describe('service principal and managed identity sign-in CSV', () => {
  it('ApplicationSignIns carries the service principal columns', () => {
    const [header, row, ...rest] = parseCsv(encodeFile(csvFiles('servicePrincipalSignIns')[0], loadRecords('signins-serviceprincipal.json')));
    expect(rest).toHaveLength(0);
    expect(row).toHaveLength(22);
    expect(rowObject(header, row)).toMatchObject({
      'Date (UTC)': '2025-11-04T08:19:41.0000001Z',
      'Service principal ID': '99999999-0000-0000-0000-000000000001',
      'Service principal name': 'Backup job, nightly',
      'Credential key ID': 'key-1',
      'Credential thumbprint': 'ABCDEF0123456789',
      'Application ID ': '99999999-1111-0000-0000-000000000001',
      'IP address': '2001:db8::1',
      Location: 'Melbourne, Victoria, AU',
      Status: 'Failure',
      'Sign-in error code': '7000215',
      'Conditional Access': 'Not Applied',
    });
  });

  it('MSISignIns adds the managed identity columns', () => {
    const [header, row] = parseCsv(encodeFile(csvFiles('managedIdentitySignIns')[0], loadRecords('signins-managedidentity.json')));
    expect(row).toHaveLength(26);
    expect(rowObject(header, row)).toMatchObject({
      Status: 'Success',
      'Failure reason': '',
      'IP address': '',
      'Managed Identity type': 'User Assigned',
      'Associated Resource Id': '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Web/sites/func-exporter',
      'Federated Token Id': 'fed-1',
      'Federated Token Issuer': 'https://token.example/issuer',
    });
  });
});
