/**
 * The run of columns every sign-in layout of the admin center shares, in its order: application, resource,
 * tenants, IP address, location and status (from `Application` to `Failure reason`).
 */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { locationCell, signInStatusWord } from './displayValues';
import { cellAt } from './graphValue';

export const signInApplicationToFailureColumns: readonly CsvColumn<GraphRecord>[] = [
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
];
