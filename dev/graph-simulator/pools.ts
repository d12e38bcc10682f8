/**
 * Precomputed value pools. Records pick from these instead of building strings, which keeps generation
 * cheap. Some entries are deliberately hard for CSV/JSON writers and spreadsheets (non-ASCII, emoji,
 * commas, quotes, line breaks, leading formula characters).
 */

export interface Person {
  displayName: string;
  upn: string;
  id: string;
}

const plainNames = [
  'Adele Vance', 'Alex Wilber', 'Diego Siciliani', 'Grady Archie', 'Henrietta Mueller', 'Isaiah Langer',
  'Johanna Lorenz', 'Joni Sherman', 'Lee Gu', 'Lidia Holloway', 'Lynne Robbins', 'Megan Bowen',
  'Miriam Graham', 'Nestor Wilke', 'Patti Fernandez', 'Pradeep Gupta', 'Allan Deyoung', 'Christie Cline',
];

/** Names that break naive encoders or spreadsheets. */
export const hardNames = [
  'Zoë Ångström', '李雷', 'José Núñez', 'Ольга Петрова', 'محمد علي', 'Søren Kierkegård', 'Rocket 🚀 Team',
  'Doe, John', 'Jane "JJ" Smith', '=HYPERLINK("http://example.invalid")', '+Plus Person', '-Minus Person',
  '@At Person', '\tTabbed Name', 'Line\nBreak', 'Carriage\r\nReturn',
];

function upnFor(name: string, index: number): string {
  const local = name.normalize('NFKD').replace(/[^A-Za-z]/g, '').toLowerCase().slice(0, 16) || `user${index}`;
  return `${local}${index}@contoso.example`;
}

function fakeGuid(a: number, b: number): string {
  const h = ((a * 2654435761) >>> 0).toString(16).padStart(8, '0');
  const t = ((b * 40503 + a) >>> 0).toString(16).padStart(12, '0').slice(-12);
  return `${h}-${h.slice(0, 4)}-4${h.slice(5, 8)}-a${h.slice(1, 4)}-${t}`;
}

function buildPeople(names: readonly string[], copies: number, offset: number): Person[] {
  const people: Person[] = [];
  for (let c = 0; c < copies; c++) {
    names.forEach((name, i) => {
      const index = offset + c * names.length + i;
      people.push({ displayName: name, upn: upnFor(name, index), id: fakeGuid(index + 17, index) });
    });
  }
  return people;
}

export const people: readonly Person[] = buildPeople(plainNames, 12, 0);
export const hardPeople: readonly Person[] = buildPeople(hardNames, 1, 10_000);

export interface AppInfo {
  appId: string;
  displayName: string;
  servicePrincipalId: string;
}

const appNames = [
  'Microsoft Teams', 'Office 365 Exchange Online', 'Azure Portal', 'Microsoft Authentication Broker',
  'Windows Sign In', 'Microsoft Graph PowerShell', 'Contoso HR Sync', 'Payroll, Inc. Connector',
  'Zoë\'s "Reporting" App', 'Azure Logic Apps', 'Contoso Billing Worker', 'Backup 💾 Agent',
];

export const apps: readonly AppInfo[] = appNames.map((displayName, i) => ({
  appId: fakeGuid(1000 + i, 77 + i),
  displayName,
  servicePrincipalId: fakeGuid(2000 + i, 99 + i),
}));

export const resources = [
  { id: '00000003-0000-0000-c000-000000000000', displayName: 'Microsoft Graph' },
  { id: '00000002-0000-0ff1-ce00-000000000000', displayName: 'Office 365 Exchange Online' },
  { id: '797f4846-ba00-4fd7-ba43-dac1f8f63013', displayName: 'Windows Azure Service Management API' },
  { id: '00000002-0000-0000-c000-000000000000', displayName: 'Windows Azure Active Directory' },
];

export const locations = [
  { city: 'Seattle', state: 'Washington', countryOrRegion: 'US', latitude: 47.6, longitude: -122.3 },
  { city: 'München', state: 'Bayern', countryOrRegion: 'DE', latitude: 48.1, longitude: 11.6 },
  { city: 'São Paulo', state: 'São Paulo', countryOrRegion: 'BR', latitude: -23.5, longitude: -46.6 },
  { city: '北京', state: '北京市', countryOrRegion: 'CN', latitude: 39.9, longitude: 116.4 },
  { city: 'Zürich', state: 'Zürich', countryOrRegion: 'CH', latitude: 47.4, longitude: 8.5 },
  { city: 'Dublin', state: 'Dublin', countryOrRegion: 'IE', latitude: 53.3, longitude: -6.3 },
];

export const userAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Windows-AzureAD-Authentication-Provider/1.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'python-requests/2.32.3',
  'Contoso "Sync", build 7\r\nline two',
];

export const browsers = ['Chrome 130.0.0', 'Edge 131.0.0', 'Safari 18.1', 'Firefox 132.0', 'Rich Client 4.66.0', ''];
export const operatingSystems = ['Windows 10', 'Windows 11', 'MacOs', 'Ios 18.1', 'Android 15', 'Linux'];

/** Free-text values that must survive every output format intact. */
export const hardTexts = [
  'Value with, comma', 'He said "hello"', 'First line\nsecond line', 'First line\r\nsecond line',
  '=SUM(A1:A9)', '+1 555 0100', '-42', '@mention', '\tindented', 'naïve café ☕', '日本語のテキスト', '',
];

export const signInFailures = [
  { errorCode: 50126, failureReason: 'Error validating credentials due to invalid username or password.' },
  { errorCode: 50074, failureReason: 'Strong Authentication is required.' },
  { errorCode: 50140, failureReason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing in." },
  { errorCode: 53003, failureReason: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.' },
  { errorCode: 50155, failureReason: 'Device authentication failed.' },
];

export const caPolicies = [
  { id: 'a1f0c7d2-0b7e-4a1d-9a34-1c2d3e4f5a61', displayName: 'Require MFA for admins' },
  { id: 'b2e1d8c3-1c8f-4b2e-8b45-2d3e4f5a6b72', displayName: 'Block legacy authentication' },
  { id: 'c3d2e9b4-2d9a-4c3f-9c56-3e4f5a6b7c83', displayName: 'Compliant device, "Finance" apps' },
  { id: 'd4c3fab5-3eab-4d4a-8d67-4f5a6b7c8d94', displayName: 'Sign-in risk ≥ medium → MFA' },
];

export const auditActivities = [
  { activityDisplayName: 'Update user', category: 'UserManagement', operationType: 'Update', loggedByService: 'Core Directory', targetType: 'User' },
  { activityDisplayName: 'Add member to group', category: 'GroupManagement', operationType: 'Assign', loggedByService: 'Core Directory', targetType: 'Group' },
  { activityDisplayName: 'Add service principal', category: 'ApplicationManagement', operationType: 'Add', loggedByService: 'Core Directory', targetType: 'ServicePrincipal' },
  { activityDisplayName: 'Reset password (self-service)', category: 'UserManagement', operationType: 'Update', loggedByService: 'Self-service Password Management', targetType: 'User' },
  { activityDisplayName: 'Update policy', category: 'Policy', operationType: 'Update', loggedByService: 'Conditional Access', targetType: 'Policy' },
  { activityDisplayName: 'User registered security info', category: 'UserManagement', operationType: 'Add', loggedByService: 'Authentication Methods', targetType: 'User' },
  { activityDisplayName: 'Add app role assignment to service principal', category: 'ApplicationManagement', operationType: 'Assign', loggedByService: 'Core Directory', targetType: 'ServicePrincipal' },
  { activityDisplayName: 'Delete user', category: 'UserManagement', operationType: 'Delete', loggedByService: 'Core Directory', targetType: 'User' },
];

export const modifiedPropertyNames = [
  'Department', 'JobTitle', 'DisplayName', 'StrongAuthenticationMethod', 'AccountEnabled', 'Manager', 'UsageLocation',
  'AssignedLicense', 'Included Updated Properties', 'TargetId.UserType',
];

export const provisioningTargets = ['ServiceNow', 'Salesforce', 'Workday', 'Contoso "Legacy" LDAP', 'Slack'];
