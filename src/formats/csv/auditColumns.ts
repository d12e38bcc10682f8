/**
 * AuditLogs: the admin center's 86 fixed columns (header unchanged 2025-02 to 2026-04), byte for byte:
 * 17 event/actor columns, Target1..3 × (Type, DisplayName, ObjectId, UserPrincipalName,
 * ModifiedProperty1..5 Name/OldValue/NewValue), AdditionalDetail1..6 Key/Value. What does not fit is
 * counted by `auditTruncation` and kept only in the JSON formats.
 */
import type { GraphRecord, TruncationCounts } from '../types';
import type { CsvColumn } from './csvColumn';
import { dateCell, wordFor } from './displayValues';
import { at, cell, cellAt, listAt } from './graphValue';

export const AUDIT_TARGETS = 3;
export const AUDIT_MODIFIED_PROPERTIES = 5;
export const AUDIT_ADDITIONAL_DETAILS = 6;

const RESULT_WORDS: Readonly<Record<string, string>> = {
  success: 'Success',
  failure: 'Failure',
  timeout: 'Timeout',
};

/** A user actor when Graph names one (any of id, UPN, display name); otherwise the app actor, if any. */
function actorKind(record: GraphRecord): 'user' | 'app' | undefined {
  const user = at(record, 'initiatedBy', 'user');
  if (user && (at(user, 'id') || at(user, 'userPrincipalName') || at(user, 'displayName'))) return 'user';
  const app = at(record, 'initiatedBy', 'app');
  if (app && (at(app, 'servicePrincipalId') || at(app, 'appId') || at(app, 'displayName'))) return 'app';
  return undefined;
}

function actorValue(record: GraphRecord, userKey: string | undefined, appKey: string | undefined): unknown {
  const kind = actorKind(record);
  if (kind === 'user' && userKey) return at(record, 'initiatedBy', 'user', userKey);
  if (kind === 'app' && appKey) return at(record, 'initiatedBy', 'app', appKey);
  return undefined;
}

const eventColumns: CsvColumn<GraphRecord>[] = [
  { header: 'Date (UTC)', value: (r) => dateCell(r.activityDateTime) },
  { header: 'CorrelationId', value: (r) => cellAt(r, 'correlationId') },
  { header: 'Service', value: (r) => cellAt(r, 'loggedByService') },
  { header: 'Category', value: (r) => cellAt(r, 'category') },
  { header: 'Activity', value: (r) => cellAt(r, 'activityDisplayName') },
  { header: 'Result', value: (r) => wordFor(RESULT_WORDS, r.result) },
  { header: 'ResultReason', value: (r) => cellAt(r, 'resultReason') },
  { header: 'User Agent', value: (r) => cellAt(r, 'userAgent') },
  {
    header: 'ActorType',
    value: (r) => {
      const kind = actorKind(r);
      return kind === 'user' ? 'User' : kind === 'app' ? 'Application' : undefined;
    },
  },
  { header: 'ActorDisplayName', value: (r) => cell(actorValue(r, 'displayName', 'displayName')) },
  { header: 'ActorObjectId', value: (r) => cell(actorValue(r, 'id', 'servicePrincipalId')) },
  { header: 'ActorUserPrincipalName', value: (r) => cell(actorValue(r, 'userPrincipalName', undefined)) },
  { header: 'IPAddress', value: (r) => cell(actorValue(r, 'ipAddress', undefined)) },
  { header: 'ActorHomeTenantId', value: (r) => cell(actorValue(r, 'homeTenantId', undefined)) },
  { header: 'ActorHomeTenantName', value: (r) => cell(actorValue(r, 'homeTenantName', undefined)) },
  { header: 'ActorServicePrincipalId', value: (r) => cell(actorValue(r, undefined, 'servicePrincipalId')) },
  { header: 'ActorServicePrincipalName', value: (r) => cell(actorValue(r, undefined, 'servicePrincipalName')) },
];

function targetColumns(targetIndex: number): CsvColumn<GraphRecord>[] {
  const n = targetIndex + 1;
  const target = (r: GraphRecord): unknown => listAt(r, 'targetResources')[targetIndex];
  const columns: CsvColumn<GraphRecord>[] = [
    { header: `Target${n}Type`, value: (r) => cellAt(target(r), 'type') },
    { header: `Target${n}DisplayName`, value: (r) => cellAt(target(r), 'displayName') },
    { header: `Target${n}ObjectId`, value: (r) => cellAt(target(r), 'id') },
    { header: `Target${n}UserPrincipalName`, value: (r) => cellAt(target(r), 'userPrincipalName') },
  ];
  for (let p = 0; p < AUDIT_MODIFIED_PROPERTIES; p++) {
    const property = (r: GraphRecord): unknown => listAt(target(r), 'modifiedProperties')[p];
    const prefix = `Target${n}ModifiedProperty${p + 1}`;
    columns.push(
      { header: `${prefix}Name`, value: (r) => cellAt(property(r), 'displayName') },
      { header: `${prefix}OldValue`, value: (r) => cellAt(property(r), 'oldValue') },
      { header: `${prefix}NewValue`, value: (r) => cellAt(property(r), 'newValue') },
    );
  }
  return columns;
}

function additionalDetailColumns(): CsvColumn<GraphRecord>[] {
  const columns: CsvColumn<GraphRecord>[] = [];
  for (let d = 0; d < AUDIT_ADDITIONAL_DETAILS; d++) {
    const detail = (r: GraphRecord): unknown => listAt(r, 'additionalDetails')[d];
    columns.push(
      { header: `AdditionalDetail${d + 1}Key`, value: (r) => cellAt(detail(r), 'key') },
      { header: `AdditionalDetail${d + 1}Value`, value: (r) => cellAt(detail(r), 'value') },
    );
  }
  return columns;
}

export const auditColumns: readonly CsvColumn<GraphRecord>[] = [
  ...eventColumns,
  ...Array.from({ length: AUDIT_TARGETS }, (_, i) => targetColumns(i)).flat(),
  ...additionalDetailColumns(),
];

export function emptyTruncationCounts(): TruncationCounts {
  return { recordsWithExtraTargets: 0, extraTargets: 0, extraModifiedProperties: 0, extraAdditionalDetails: 0 };
}

/** Adds to `counts` what the fixed-width layout drops from this record. */
export function addAuditTruncation(record: GraphRecord, counts: TruncationCounts): void {
  const targets = listAt(record, 'targetResources');
  if (targets.length > AUDIT_TARGETS) {
    counts.recordsWithExtraTargets += 1;
    counts.extraTargets += targets.length - AUDIT_TARGETS;
  }
  for (const target of targets.slice(0, AUDIT_TARGETS)) {
    const properties = listAt(target, 'modifiedProperties').length;
    if (properties > AUDIT_MODIFIED_PROPERTIES) counts.extraModifiedProperties += properties - AUDIT_MODIFIED_PROPERTIES;
  }
  const details = listAt(record, 'additionalDetails').length;
  if (details > AUDIT_ADDITIONAL_DETAILS) counts.extraAdditionalDetails += details - AUDIT_ADDITIONAL_DETAILS;
}
