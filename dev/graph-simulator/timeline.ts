/**
 * The simulated history, cut into one-minute slices. A slice's records (count, timestamps, visibility,
 * republished and split copies) are a pure function of seed + stream + slice, so any range can be paged
 * or counted without materialising it. Only a small cache of recent slices is kept.
 */
import { STREAM_IDS, type StreamId } from '../../src/streams/catalog';
import type { ResolvedOptions } from './options';
import { mix, Rng, seedHash } from './random';

export const SLICE_MS = 60_000;
export const SLICE_TICKS = 600_000_000;
export const TICKS_PER_MS_NUMBER = 10_000;

/** One published version of one record in a slice. */
export interface SliceEntry {
  /** 100-ns ticks from the slice start. */
  off: number;
  /** Stream ordinal in STREAM_IDS. */
  s: number;
  /** Record index within the slice (fixtures use 1e9 + position). */
  i: number;
  /** 1 for the second half of a split sign-in. */
  p: number;
  /** 1 for a republished version. */
  v: number;
  /** Epoch ms from which this version is served. */
  vis: number;
  /** A record from a fixture file, served as is. */
  fx?: Record<string, unknown>;
}

const SIGN_IN_ORDINALS = new Set([1, 2, 3, 4]);
const CACHE_LIMIT = 16;

export function streamOrdinal(stream: StreamId): number {
  return STREAM_IDS.indexOf(stream);
}

export function compareAscending(a: SliceEntry, b: SliceEntry): number {
  return a.off - b.off || a.s - b.s || a.i - b.i || a.p - b.p || a.v - b.v;
}

/** Newest first, but records sharing a timestamp keep the ascending tie order (original before republished). */
export function compareDescending(a: SliceEntry, b: SliceEntry): number {
  return b.off - a.off || a.s - b.s || a.i - b.i || a.p - b.p || a.v - b.v;
}

export interface FixtureIndex {
  replaced: Set<number>;
  bySlice: Map<number, Map<number, SliceEntry[]>>;
}

export class Timeline {
  private readonly seed: number;
  private readonly cache = new Map<string, SliceEntry[]>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly fixtures: FixtureIndex,
  ) {
    this.seed = seedHash(options.seed);
  }

  /** Forget cached slices (publication settings changed). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Entries of several streams in one slice, in listing order. Cached. */
  merged(ordinals: readonly number[], slice: number, order: 'asc' | 'desc'): SliceEntry[] {
    const key = `${ordinals.join(',')}|${slice}|${order}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const all: SliceEntry[] = [];
    for (const ordinal of ordinals) {
      for (const entry of this.generated(ordinal, slice)) all.push(entry);
      const fixtureEntries = this.fixtures.bySlice.get(ordinal)?.get(slice);
      if (fixtureEntries) for (const entry of fixtureEntries) all.push(entry);
    }
    all.sort(order === 'asc' ? compareAscending : compareDescending);
    this.cache.set(key, all);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return all;
  }

  /** Generated entries of one stream in one slice, ascending by index (sorted later by the caller). */
  private generated(ordinal: number, slice: number): SliceEntry[] {
    if (this.fixtures.replaced.has(ordinal)) return [];
    const sliceStartMs = slice * SLICE_MS;
    if (sliceStartMs + SLICE_MS <= this.options.dataStartMs) return [];
    const perHour = this.options.volume[STREAM_IDS[ordinal]] ?? 0;
    if (perHour <= 0) return [];
    const minOff = Math.max(0, (this.options.dataStartMs - sliceStartMs) * TICKS_PER_MS_NUMBER);
    const sliceRng = new Rng(mix(this.seed, ordinal, slice, 0x5117ce));
    const mean = perHour / 60;
    let count = Math.floor(mean * (0.5 + sliceRng.next()) + sliceRng.next());
    const bursts = this.options.bursts;
    // Same-instant groups: [first record index, size, offset in the slice].
    const groups: Array<[number, number, number]> = [];
    if (perHour >= 600 && sliceRng.chance(bursts.share)) {
      const size = bursts.minSize + sliceRng.int(bursts.maxSize - bursts.minSize + 1);
      groups.push([0, size, sliceRng.chance(0.5) ? sliceRng.int(60) * 10_000_000 : sliceRng.int(SLICE_TICKS)]);
      count += size;
    }
    if (bursts.edgeShare > 0) {
      // Its own generator and indexes after all others: turning edge bursts on leaves every other record as it was.
      const edgeRng = new Rng(mix(this.seed, ordinal, slice, 0xed9e));
      const edgeSize = (): number => bursts.edgeMinSize + edgeRng.int(bursts.edgeMaxSize - bursts.edgeMinSize + 1);
      const atStart = edgeRng.chance(bursts.edgeShare);
      const atEnd = edgeRng.chance(bursts.edgeShare);
      for (const [onEdge, off] of [[atStart && slice % bursts.edgeMinutes === 0, 0], [atEnd && (slice + 1) % bursts.edgeMinutes === 0, SLICE_TICKS - 1]] as const) {
        if (!onEdge) continue;
        const size = edgeSize();
        groups.push([count, size, off]);
        count += size;
      }
    }
    const pub = this.options.publication;
    const isSignIn = SIGN_IN_ORDINALS.has(ordinal);
    const entries: SliceEntry[] = [];
    for (let i = 0; i < count; i++) {
      const rng = new Rng(mix(this.seed, ordinal, slice, i));
      let off = rng.int(SLICE_TICKS);
      if (rng.chance(0.05)) off -= off % 10_000_000;
      for (const [first, size, groupOff] of groups) if (i >= first && i < first + size) off = groupOff;
      const uDelay = rng.next();
      const uLate = rng.next();
      const uLateAmount = rng.next();
      const uRepublish = rng.next();
      const uRepublishDelay = rng.next();
      const uSplit = rng.next();
      if (off < minOff) continue;
      const timeMs = sliceStartMs + off / TICKS_PER_MS_NUMBER;
      let delayMs: number;
      if (uLate < pub.lateShare) delayMs = uLateAmount * pub.lateMaxMinutes * 60_000;
      else if (uDelay < 0.97) delayMs = 5_000 - 40_000 * Math.log(1 - uDelay / 0.97 + 1e-12) * 0.9;
      else delayMs = 120_000 + ((uDelay - 0.97) / 0.03) * 180_000;
      const vis = timeMs + delayMs;
      entries.push({ off, s: ordinal, i, p: 0, v: 0, vis });
      if (uRepublish < pub.republishShare) {
        entries.push({ off, s: ordinal, i, p: 0, v: 1, vis: vis + 120_000 + uRepublishDelay * 480_000 });
      }
      if (isSignIn && uSplit < pub.splitShare) {
        entries.push({ off, s: ordinal, i, p: 1, v: 0, vis: vis + 1_000 });
      }
    }
    return entries;
  }
}

export function sliceOfMs(ms: number): number {
  return Math.floor(ms / SLICE_MS);
}

/** Slice index of an instant in ticks. */
export function sliceOfTicks(ticks: bigint): number {
  return Number(ticks / BigInt(SLICE_TICKS)) - (ticks < 0n && ticks % BigInt(SLICE_TICKS) !== 0n ? 1 : 0);
}

export function sliceStartTicks(slice: number): bigint {
  return BigInt(slice) * BigInt(SLICE_TICKS);
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

/** `YYYY-MM-DDTHH:MM:SS[.fffffff]Z` for an entry; whole seconds are written without a fraction. */
export function formatEntryTime(slice: number, off: number): string {
  const ms = slice * SLICE_MS + Math.floor(off / TICKS_PER_MS_NUMBER);
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]}T${TWO_DIGITS[d.getUTCHours()]}:${TWO_DIGITS[d.getUTCMinutes()]}:${TWO_DIGITS[d.getUTCSeconds()]}`;
  const fraction = off % 10_000_000;
  if (fraction === 0) return `${base}Z`;
  return `${base}.${String(fraction).padStart(7, '0')}Z`;
}
