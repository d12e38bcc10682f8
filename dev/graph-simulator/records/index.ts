/** Builds the record for a timeline entry, dispatching on the stream. */
import { STREAM_IDS } from '../../../src/streams/catalog';
import type { SliceEntry } from '../timeline';
import type { ApiVersion } from './context';
import { recordGuid } from './context';
import { buildDirectoryAudit, directoryAuditId } from './directoryAudit';
import { buildProvisioning } from './provisioning';
import { buildSignIn } from './signIn';

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
      if (stream === 'audit') return buildDirectoryAudit(ctx);
      if (stream === 'provisioning') return buildProvisioning(ctx);
      return buildSignIn(ctx, stream);
    },
    id(entry, slice) {
      if (entry.fx) return String(entry.fx.id);
      const ctx = { seed, slice, entry, tenantId: '', version: 'v1.0' as const };
      return STREAM_IDS[entry.s] === 'audit' ? directoryAuditId(ctx) : recordGuid(ctx, 0x1d);
    },
  };
}
