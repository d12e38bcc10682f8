/** What a record generator needs to know about the record it builds. */
import type { SliceEntry } from '../timeline';
import { formatEntryTime } from '../timeline';
import { mix, Rng } from '../random';

export type ApiVersion = 'v1.0' | 'beta';

export interface RecordContext {
  seed: number;
  slice: number;
  entry: SliceEntry;
  tenantId: string;
  version: ApiVersion;
}

/** The generator for a record's content; shared by all versions and parts of one record. */
export function contentRng(ctx: RecordContext, salt: number): Rng {
  return new Rng(mix(ctx.seed, ctx.entry.s, ctx.slice, ctx.entry.i, salt));
}

/** Stable GUID-shaped id for a record part. */
export function recordGuid(ctx: RecordContext, salt: number): string {
  return new Rng(mix(ctx.seed, ctx.entry.s, ctx.slice, ctx.entry.i, ctx.entry.p, salt)).guid();
}

export function entryTime(ctx: RecordContext): string {
  return formatEntryTime(ctx.slice, ctx.entry.off);
}

/** Graph-style timestamp with 7 fraction digits for derived times (e.g. authentication steps). */
export function derivedTime(ctx: RecordContext, deltaMs: number): string {
  return formatEntryTime(ctx.slice, ctx.entry.off + Math.round(deltaMs * 10_000));
}
