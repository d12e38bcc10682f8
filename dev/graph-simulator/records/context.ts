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

const HEX8 = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * Stable GUID-shaped id for a record part, from two independent 32-bit hashes: 64 bits keep ids unique
 * across billions of records, where one 32-bit hash would collide after about 100,000.
 */
export function recordGuid(ctx: RecordContext, salt: number): string {
  const { s, i, p } = ctx.entry;
  const a = HEX8(mix(ctx.seed, s, ctx.slice, i, p, salt));
  const b = HEX8(mix(salt, p, i, ctx.slice, s, ctx.seed ^ 0x5bd1e995));
  const c = HEX8(mix(ctx.seed ^ 0x27d4eb2f, i, s, ctx.slice, p, salt));
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[parseInt(c[0], 16) & 3]}${c.slice(1, 4)}-${c.slice(4, 8)}${a.slice(0, 4)}${b.slice(4, 5)}${b.slice(0, 3)}`;
}

export function entryTime(ctx: RecordContext): string {
  return formatEntryTime(ctx.slice, ctx.entry.off);
}

/** Graph-style timestamp with 7 fraction digits for derived times (e.g. authentication steps). */
export function derivedTime(ctx: RecordContext, deltaMs: number): string {
  return formatEntryTime(ctx.slice, ctx.entry.off + Math.round(deltaMs * 10_000));
}
