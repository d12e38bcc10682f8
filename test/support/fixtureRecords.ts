/**
 * Audit records placed at chosen instants, served by the Graph simulator as fixtures (`mode: 'replace'`): the edge
 * cases of a window (a record exactly at its start, a burst of records sharing one 100 ns instant) on demand.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AuditRecord {
  id: string;
  activityDateTime: string;
  category: string;
  activityDisplayName: string;
  result: string;
  loggedByService: string;
  operationType: string;
  correlationId: string;
  initiatedBy: { user: null; app: { displayName: string } };
  targetResources: unknown[];
  additionalDetails: unknown[];
}

export function auditRecord(id: string, activityDateTime: string, activity = 'Update user'): AuditRecord {
  return {
    id,
    activityDateTime,
    category: 'UserManagement',
    activityDisplayName: activity,
    result: 'success',
    loggedByService: 'Core Directory',
    operationType: 'Update',
    correlationId: `c-${id}`,
    initiatedBy: { user: null, app: { displayName: 'Fixture' } },
    targetResources: [],
    additionalDetails: [],
  };
}

/** `count` records sharing the instant `at`, ids `${prefix}-0000`…. */
export function burst(prefix: string, at: string, count: number): AuditRecord[] {
  return Array.from({ length: count }, (_, i) => auditRecord(`${prefix}-${String(i).padStart(4, '0')}`, at));
}

/** Writes the records to a temporary file and returns the simulator's fixture option for the audit stream. */
export function auditFixture(records: readonly AuditRecord[]): Array<{ stream: 'audit'; file: string; mode: 'replace' }> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-fixture-'));
  const file = join(dir, 'audit.json');
  writeFileSync(file, JSON.stringify(records));
  return [{ stream: 'audit', file, mode: 'replace' }];
}
