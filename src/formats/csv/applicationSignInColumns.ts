/** ApplicationSignIns (service principals): the admin center's 22 columns, byte for byte. No user columns. */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { conditionalAccessWord, dateCell, locationCell, signInStatusWord } from './displayValues';
import { cellAt } from './graphValue';

export const applicationSignInColumns: readonly CsvColumn<GraphRecord>[] = [
  { header: 'Date (UTC)', value: (r) => dateCell(r.createdDateTime) },
  { header: 'Request ID', value: (r) => cellAt(r, 'id') },
  { header: 'Correlation ID', value: (r) => cellAt(r, 'correlationId') },
  { header: 'Service principal ID', value: (r) => cellAt(r, 'servicePrincipalId') },
  { header: 'Service principal name', value: (r) => cellAt(r, 'servicePrincipalName') },
  { header: 'Credential key ID', value: (r) => cellAt(r, 'servicePrincipalCredentialKeyId') },
  { header: 'Credential thumbprint', value: (r) => cellAt(r, 'servicePrincipalCredentialThumbprint') },
  { header: 'Application', value: (r) => cellAt(r, 'appDisplayName') },
  { header: 'Application ID ', value: (r) => cellAt(r, 'appId') },
  { header: 'App owner tenant ID', value: (r) => cellAt(r, 'appOwnerTenantId') },
  { header: 'Resource', value: (r) => cellAt(r, 'resourceDisplayName') },
  { header: 'Resource ID ', value: (r) => cellAt(r, 'resourceId') },
  { header: 'Resource tenant ID', value: (r) => cellAt(r, 'resourceTenantId') },
  { header: 'Resource owner tenant ID', value: (r) => cellAt(r, 'resourceOwnerTenantId') },
  { header: 'Home tenant ID', value: (r) => cellAt(r, 'homeTenantId') },
  { header: 'Home tenant name', value: (r) => cellAt(r, 'homeTenantName') },
  { header: 'IP address', value: (r) => cellAt(r, 'ipAddress') },
  { header: 'Location', value: locationCell },
  { header: 'Status', value: signInStatusWord },
  { header: 'Sign-in error code', value: (r) => cellAt(r, 'status', 'errorCode') },
  { header: 'Failure reason', value: (r) => cellAt(r, 'status', 'failureReason') },
  { header: 'Conditional Access', value: conditionalAccessWord },
];
