/**
 * Reads one page of a listing plan from a position, walking one-minute slices in the plan's order and
 * serving only versions visible at `nowMs`. Positions are keys of the last entry served (keyset paging),
 * so records published while a client pages behind them do not shift its position.
 */
import { setImmediate } from 'node:timers/promises';
import { TICKS_PER_MS, type Ticks } from '../../src/time/instant';
import type { ListingPlan } from './queryPlan';
import type { RecordFactory } from './records';
import type { PositionKey } from './skipToken';
import {
  compareAscending, compareDescending, SLICE_TICKS, sliceOfTicks, sliceStartTicks, streamOrdinal, type SliceEntry, type Timeline,
} from './timeline';

export interface PagePosition {
  slice: number;
  key?: PositionKey;
}

export interface PageResult {
  records: Record<string, unknown>[];
  /** Where the next page starts; absent when the listing is exhausted. */
  next?: PagePosition;
}

export interface PagerContext {
  timeline: Timeline;
  factory: RecordFactory;
  nowMs: number;
  /** Earliest instant that can hold a record (data start or earliest fixture). */
  earliest: Ticks;
}

function firstAfter(entries: SliceEntry[], key: PositionKey, order: 'asc' | 'desc'): number {
  const cmp = order === 'asc' ? compareAscending : compareDescending;
  const probe = key as SliceEntry;
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(entries[mid], probe) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Start position of a plan (the newest or oldest slice in range). */
export function startPosition(plan: ListingPlan, ctx: PagerContext): PagePosition {
  const { first } = sliceRange(plan, ctx);
  return { slice: first };
}

function sliceRange(plan: ListingPlan, ctx: PagerContext): { first: number; last: number; step: number; loSlice: number; hiSlice: number } {
  const nowTicks = BigInt(Math.floor(ctx.nowMs)) * TICKS_PER_MS;
  const lo = plan.lo !== undefined && plan.lo > ctx.earliest ? plan.lo : ctx.earliest;
  const hi = plan.hi !== undefined && plan.hi < nowTicks ? plan.hi : nowTicks;
  const loSlice = sliceOfTicks(lo);
  const hiSlice = sliceOfTicks(hi);
  return plan.order === 'desc'
    ? { first: hiSlice, last: loSlice, step: -1, loSlice, hiSlice }
    : { first: loSlice, last: hiSlice, step: 1, loSlice, hiSlice };
}

function offsetBound(bound: Ticks | undefined, slice: number, fallback: number): number {
  if (bound === undefined) return fallback;
  const rel = bound - sliceStartTicks(slice);
  if (rel < 0n) return -1;
  if (rel >= BigInt(SLICE_TICKS)) return SLICE_TICKS;
  return Number(rel);
}

/**
 * Records built per turn of the event loop. Building a 1,000-record page of beta sign-ins at once held the loop for
 * 100–300 ms, and a request arriving meanwhile waits in its socket: it is counted (and throttled) only when the loop
 * gets to it, closer to the next one than it really arrived, so a client that spaced its requests by Graph's window
 * plus a margin drew 429s the real service would not send.
 */
const RECORDS_PER_TURN = 100;

export async function readPage(plan: ListingPlan, position: PagePosition, ctx: PagerContext): Promise<PageResult> {
  const ordinals = plan.streams.map(streamOrdinal);
  const range = sliceRange(plan, ctx);
  const records: Record<string, unknown>[] = [];
  if (ordinals.length === 0 || range.loSlice > range.hiSlice) return { records };
  let last: PagePosition | undefined;
  let built = 0;
  for (let slice = position.slice; plan.order === 'desc' ? slice >= range.last : slice <= range.last; slice += range.step) {
    const entries = ctx.timeline.merged(ordinals, slice, plan.order);
    if (entries.length === 0) continue;
    const loOff = offsetBound(plan.lo, slice, -1);
    const hiOff = offsetBound(plan.hi, slice, SLICE_TICKS);
    const start = slice === position.slice && position.key ? firstAfter(entries, position.key, plan.order) : 0;
    for (let n = start; n < entries.length; n++) {
      const entry = entries[n];
      if (entry.off < loOff || entry.off > hiOff || entry.vis > ctx.nowMs) continue;
      if (++built % RECORDS_PER_TURN === 0) await setImmediate();
      const record = ctx.factory.build(entry, slice, plan.version);
      if (plan.predicate && !plan.predicate(record)) continue;
      if (records.length === plan.top) return { records, next: last };
      records.push(record);
      last = { slice, key: { off: entry.off, s: entry.s, i: entry.i, p: entry.p, v: entry.v } };
    }
  }
  return { records };
}
