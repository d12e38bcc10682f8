/**
 * InteractiveSignIns_AuthDetails / NonInteractiveSignIns_AuthDetails: one row per `authenticationDetails`
 * step, joined to the main file on `Request ID`. The exact header is not public; these are the names public
 * parsers of real files read, in the order the admin center's details pane shows them (docs/formats.md).
 */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { dateCell } from './displayValues';
import { at, cellAt, listAt } from './graphValue';

export interface AuthDetailRow {
  record: GraphRecord;
  detail: unknown;
}

export function authDetailRows(record: GraphRecord): AuthDetailRow[] {
  return listAt(record, 'authenticationDetails').map((detail) => ({ record, detail }));
}

export const userSignInAuthDetailColumns: readonly CsvColumn<AuthDetailRow>[] = [
  { header: 'Request ID', value: (row) => cellAt(row.record, 'id') },
  { header: 'Date', value: (row) => dateCell(at(row.detail, 'authenticationStepDateTime')) },
  { header: 'Authentication method', value: (row) => cellAt(row.detail, 'authenticationMethod') },
  { header: 'Authentication method detail', value: (row) => cellAt(row.detail, 'authenticationMethodDetail') },
  { header: 'Succeeded', value: (row) => cellAt(row.detail, 'succeeded') },
  { header: 'Result detail', value: (row) => cellAt(row.detail, 'authenticationStepResultDetail') },
  { header: 'Requirement', value: (row) => cellAt(row.detail, 'authenticationStepRequirement') },
];
