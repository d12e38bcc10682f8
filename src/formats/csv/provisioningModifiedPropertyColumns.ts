/**
 * ProvisioningLogs_ModifiedProperties (designed; no public sample): one row per modified property, joined to
 * ProvisioningLogs on `Change ID`. Old and new values are Graph's strings, unchanged.
 */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { cellAt, listAt } from './graphValue';

export interface ModifiedPropertyRow {
  record: GraphRecord;
  property: unknown;
}

export function modifiedPropertyRows(record: GraphRecord): ModifiedPropertyRow[] {
  return listAt(record, 'modifiedProperties').map((property) => ({ record, property }));
}

export const provisioningModifiedPropertyColumns: readonly CsvColumn<ModifiedPropertyRow>[] = [
  { header: 'Change ID', value: (row) => cellAt(row.record, 'changeId') },
  { header: 'Name', value: (row) => cellAt(row.property, 'displayName') },
  { header: 'Old value', value: (row) => cellAt(row.property, 'oldValue') },
  { header: 'New value', value: (row) => cellAt(row.property, 'newValue') },
];
