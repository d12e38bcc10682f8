/** ApplicationSignIns (service principals): the admin center's 22 columns, byte for byte. No user columns. */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { conditionalAccessWord, dateCell } from './displayValues';
import { cellAt } from './graphValue';
import { signInApplicationToFailureColumns } from './signInSharedColumns';

export const applicationSignInColumns: readonly CsvColumn<GraphRecord>[] = [
  { header: 'Date (UTC)', value: (r) => dateCell(r.createdDateTime) },
  { header: 'Request ID', value: (r) => cellAt(r, 'id') },
  { header: 'Correlation ID', value: (r) => cellAt(r, 'correlationId') },
  { header: 'Service principal ID', value: (r) => cellAt(r, 'servicePrincipalId') },
  { header: 'Service principal name', value: (r) => cellAt(r, 'servicePrincipalName') },
  { header: 'Credential key ID', value: (r) => cellAt(r, 'servicePrincipalCredentialKeyId') },
  { header: 'Credential thumbprint', value: (r) => cellAt(r, 'servicePrincipalCredentialThumbprint') },
  ...signInApplicationToFailureColumns,
  { header: 'Conditional Access', value: conditionalAccessWord },
];
