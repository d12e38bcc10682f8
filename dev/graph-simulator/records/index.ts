/** Builds the record for a timeline entry, dispatching on the stream. */
import { STREAM_IDS } from '../../../src/streams/catalog';
import type { SliceEntry } from '../timeline';
import type { ApiVersion } from './context';
import { buildDirectoryAudit } from './directoryAudit';
import { buildProvisioning } from './provisioning';
import { buildSignIn } from './signIn';

export interface RecordFactory {
  build(entry: SliceEntry, slice: number, version: ApiVersion): Record<string, unknown>;
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
  };
}
