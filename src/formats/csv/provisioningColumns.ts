/**
 * ProvisioningLogs: no public sample of the admin center's provisioning CSV exists, so this layout is
 * designed: one row per provisioning event, display-cased names after the admin center's details pane, every
 * scalar of `provisioningObjectSummary` that is not a list. Steps and modified properties go to their own
 * files, joined on `Change ID` (as the admin center documents).
 */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { dateCell, wordFor } from './displayValues';
import { cellAt } from './graphValue';

export const PROVISIONING_ACTION_WORDS: Readonly<Record<string, string>> = {
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  disable: 'Disable',
  stagedDelete: 'Staged delete',
  other: 'Other',
};

export const PROVISIONING_RESULT_WORDS: Readonly<Record<string, string>> = {
  success: 'Success',
  failure: 'Failure',
  skipped: 'Skipped',
  warning: 'Warning',
};

const ERROR_CATEGORY_WORDS: Readonly<Record<string, string>> = {
  success: 'Success',
  failure: 'Failure',
  nonServiceFailure: 'Non-service failure',
};

const INITIATOR_TYPE_WORDS: Readonly<Record<string, string>> = {
  user: 'User',
  application: 'Application',
  system: 'System',
};

const error = (r: GraphRecord, key: string) => cellAt(r, 'provisioningStatusInfo', 'errorInformation', key);

export const provisioningColumns: readonly CsvColumn<GraphRecord>[] = [
  { header: 'Date (UTC)', value: (r) => dateCell(r.activityDateTime) },
  { header: 'ID', value: (r) => cellAt(r, 'id') },
  { header: 'Change ID', value: (r) => cellAt(r, 'changeId') },
  { header: 'Cycle ID', value: (r) => cellAt(r, 'cycleId') },
  { header: 'Job ID', value: (r) => cellAt(r, 'jobId') },
  { header: 'Action', value: (r) => wordFor(PROVISIONING_ACTION_WORDS, r.provisioningAction) },
  { header: 'Status', value: (r) => wordFor(PROVISIONING_RESULT_WORDS, cellAt(r, 'provisioningStatusInfo', 'status')) },
  { header: 'Source System', value: (r) => cellAt(r, 'sourceSystem', 'displayName') },
  { header: 'Source System ID', value: (r) => cellAt(r, 'sourceSystem', 'id') },
  { header: 'Target System', value: (r) => cellAt(r, 'targetSystem', 'displayName') },
  { header: 'Target System ID', value: (r) => cellAt(r, 'targetSystem', 'id') },
  { header: 'Source Identity ID', value: (r) => cellAt(r, 'sourceIdentity', 'id') },
  { header: 'Source Identity Name', value: (r) => cellAt(r, 'sourceIdentity', 'displayName') },
  { header: 'Source Identity Type', value: (r) => cellAt(r, 'sourceIdentity', 'identityType') },
  { header: 'Target Identity ID', value: (r) => cellAt(r, 'targetIdentity', 'id') },
  { header: 'Target Identity Name', value: (r) => cellAt(r, 'targetIdentity', 'displayName') },
  { header: 'Target Identity Type', value: (r) => cellAt(r, 'targetIdentity', 'identityType') },
  { header: 'Initiated by', value: (r) => cellAt(r, 'initiatedBy', 'displayName') },
  { header: 'Initiated by ID', value: (r) => cellAt(r, 'initiatedBy', 'id') },
  { header: 'Initiator type', value: (r) => wordFor(INITIATOR_TYPE_WORDS, cellAt(r, 'initiatedBy', 'initiatorType')) },
  { header: 'Error code', value: (r) => error(r, 'errorCode') },
  { header: 'Error reason', value: (r) => error(r, 'reason') },
  { header: 'Error additional details', value: (r) => error(r, 'additionalDetails') },
  { header: 'Error category', value: (r) => wordFor(ERROR_CATEGORY_WORDS, error(r, 'errorCategory')) },
  { header: 'Recommended action', value: (r) => error(r, 'recommendedAction') },
  { header: 'Duration (ms)', value: (r) => cellAt(r, 'durationInMilliseconds') },
  { header: 'Tenant ID', value: (r) => cellAt(r, 'tenantId') },
  { header: 'Service principal ID', value: (r) => cellAt(r, 'servicePrincipal', 'id') },
  { header: 'Service principal name', value: (r) => cellAt(r, 'servicePrincipal', 'displayName') },
];
