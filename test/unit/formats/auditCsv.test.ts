import { encodeRecords, planFiles } from '../../../src/formats';
import { encodeFile, loadRecords, parseCsv, rowObject } from './formatTestSupport';

describe('audit CSV', () => {
  const records = loadRecords('audit.json');
  const encoder = planFiles('audit', ['csv'], { neutralizeFormulas: true })[0].encoder;
  const [header, ...rows] = parseCsv(encodeFile(encoder, records));
  const [userEvent, appEvent] = rows.map((row) => rowObject(header, row));

  it('writes one 86-column row per event', () => {
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toHaveLength(86);
  });

  it('fills event and user actor columns', () => {
    expect(userEvent).toMatchObject({
      'Date (UTC)': '2024-07-23T18:09:04.1502113Z',
      CorrelationId: '11111111-1111-1111-1111-111111111111',
      Service: 'Core Directory',
      Category: 'UserManagement',
      Activity: 'Update user',
      Result: 'Success',
      ResultReason: '',
      'User Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64), "quoted"',
      ActorType: 'User',
      ActorDisplayName: 'Zoë Ångström, Admin',
      ActorObjectId: '22222222-2222-2222-2222-222222222222',
      ActorUserPrincipalName: 'zoe@contoso.example',
      IPAddress: '203.0.113.7',
      ActorHomeTenantId: '33333333-3333-3333-3333-333333333333',
      ActorHomeTenantName: 'Contoso 日本',
      ActorServicePrincipalId: '',
      ActorServicePrincipalName: '',
    });
  });

  it('fills application actor columns', () => {
    expect(appEvent).toMatchObject({
      Result: 'Failure',
      ActorType: 'Application',
      ActorDisplayName: 'Provisioning Agent',
      ActorObjectId: '77777777-7777-7777-7777-777777777777',
      ActorUserPrincipalName: '',
      IPAddress: '',
      ActorServicePrincipalId: '77777777-7777-7777-7777-777777777777',
      ActorServicePrincipalName: 'Provisioning Agent SPN',
      Target1Type: '',
      AdditionalDetail1Key: '',
    });
  });

  it('flattens targets, modified properties and additional details, keeping raw values', () => {
    expect(userEvent).toMatchObject({
      Target1Type: 'User',
      Target1DisplayName: `'=HYPERLINK("http://evil.example")`,
      Target1ObjectId: '44444444-4444-4444-4444-444444444441',
      Target1UserPrincipalName: 'target1@contoso.example',
      Target1ModifiedProperty1Name: 'Department',
      Target1ModifiedProperty1OldValue: '["Sales"]',
      Target1ModifiedProperty1NewValue: '["Security"]',
      Target1ModifiedProperty2OldValue: '',
      Target1ModifiedProperty2NewValue: '["Line one\\nLine two"]', // JSON text inside Graph's string
      Target1ModifiedProperty3OldValue: "'-5",
      Target1ModifiedProperty3NewValue: "'+7",
      Target1ModifiedProperty4OldValue: "'@home",
      Target1ModifiedProperty4NewValue: "'\tindented",
      Target1ModifiedProperty5OldValue: "'\rcarriage",
      Target1ModifiedProperty5Name: 'Note',
      Target2Type: 'Group',
      Target2ModifiedProperty1Name: '',
      Target3Type: 'Device',
      Target3ModifiedProperty5Name: 'P5',
      AdditionalDetail1Key: 'UserType',
      AdditionalDetail1Value: 'Member',
      AdditionalDetail6Key: 'K6',
      AdditionalDetail6Value: 'V6',
    });
    expect(rows[0].join('|')).not.toContain('Target four');
    expect(rows[0].join('|')).not.toContain('Sixth');
    expect(rows[0].join('|')).not.toContain('K7');
  });

  it('counts what the fixed width drops', () => {
    expect(encodeRecords(encoder, records, { recordsWritten: 0 }).truncated).toEqual({
      recordsWithExtraTargets: 1,
      extraTargets: 2,
      extraModifiedProperties: 3,
      extraAdditionalDetails: 2,
    });
    expect(encodeRecords(encoder, [records[1]], { recordsWritten: 1 }).truncated).toEqual({
      recordsWithExtraTargets: 0,
      extraTargets: 0,
      extraModifiedProperties: 0,
      extraAdditionalDetails: 0,
    });
  });

  it('keeps everything the CSV drops in the JSON formats', () => {
    const json = planFiles('audit', ['json'], { neutralizeFormulas: true })[0].encoder;
    const parsed = JSON.parse(encodeFile(json, records).toString('utf8')) as unknown;
    expect(parsed).toEqual(records);
  });
});
