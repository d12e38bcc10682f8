/**
 * ProvisioningLogs_ProvisioningSteps (designed; no public sample): one row per provisioning step, joined to
 * ProvisioningLogs on `Change ID`. `Details` is the step's free-form `details` map as compact JSON.
 */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { wordFor } from './displayValues';
import { at, cellAt, listAt } from './graphValue';
import { PROVISIONING_RESULT_WORDS } from './provisioningColumns';

export interface ProvisioningStepRow {
  record: GraphRecord;
  step: unknown;
  /** 1-based position of the step in the record. */
  number: number;
}

export function provisioningStepRows(record: GraphRecord): ProvisioningStepRow[] {
  return listAt(record, 'provisioningSteps').map((step, i) => ({ record, step, number: i + 1 }));
}

const STEP_TYPE_WORDS: Readonly<Record<string, string>> = {
  import: 'Import',
  scoping: 'Scoping',
  matching: 'Matching',
  processing: 'Processing',
  referenceResolution: 'Reference resolution',
  export: 'Export',
};

function detailsJson(step: unknown): string | undefined {
  const details = at(step, 'details');
  return details === null || details === undefined ? undefined : JSON.stringify(details);
}

export const provisioningStepColumns: readonly CsvColumn<ProvisioningStepRow>[] = [
  { header: 'Change ID', value: (row) => cellAt(row.record, 'changeId') },
  { header: 'Step', value: (row) => row.number },
  { header: 'Name', value: (row) => cellAt(row.step, 'name') },
  { header: 'Type', value: (row) => wordFor(STEP_TYPE_WORDS, at(row.step, 'provisioningStepType')) },
  { header: 'Status', value: (row) => wordFor(PROVISIONING_RESULT_WORDS, at(row.step, 'status')) },
  { header: 'Description', value: (row) => cellAt(row.step, 'description') },
  { header: 'Details', value: (row) => detailsJson(row.step) },
];
