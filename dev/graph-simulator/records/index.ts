/** Builds the record for a timeline entry, dispatching on the stream. */
import { STREAM_IDS } from '../../../src/streams/catalog';
import type { SliceEntry } from '../timeline';
import type { ApiVersion } from './context';
import { mix } from '../random';
import { recordGuid } from './context';
import { buildDirectoryAudit, directoryAuditId } from './directoryAudit';
import { buildProvisioning } from './provisioning';
import { buildSignIn } from './signIn';

/** Share of records whose keys come in another order, as Graph's own responses sometimes do. */
const REORDERED_PERCENT = 5;

/** Same properties, id and time last, the rest in reverse order. */
function reordered(record: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(record);
  const out: Record<string, unknown> = {};
  for (const key of keys.slice(2).reverse()) out[key] = record[key];
  for (const key of keys.slice(0, 2)) out[key] = record[key];
  return out;
}

export interface RecordFactory {
  build(entry: SliceEntry, slice: number, version: ApiVersion): Record<string, unknown>;
  /** The record's id without building it (ground truth over large ranges). */
  id(entry: SliceEntry, slice: number): string;
}

export function recordFactory(seed: number, tenantId: () => string): RecordFactory {
  return {
    build(entry, slice, version) {
      if (entry.fx) return entry.fx;
      const stream = STREAM_IDS[entry.s];
      const ctx = { seed, slice, entry, tenantId: tenantId(), version };
      const record = stream === 'audit' ? buildDirectoryAudit(ctx) : stream === 'provisioning' ? buildProvisioning(ctx) : buildSignIn(ctx, stream);
      return mix(seed, entry.s, slice, entry.i, 0x0bde) % 100 < REORDERED_PERCENT ? reordered(record) : record;
    },
    id(entry, slice) {
      if (entry.fx) return String(entry.fx.id);
      const ctx = { seed, slice, entry, tenantId: '', version: 'v1.0' as const };
      return STREAM_IDS[entry.s] === 'audit' ? directoryAuditId(ctx) : recordGuid(ctx, 0x1d);
    },
  };
}
