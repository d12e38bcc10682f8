/**
 * What a complete export of [start, end) must contain: every record id of the stream whose time is in
 * the half-open range and which is visible at `asOf`, and the last visible version of each record.
 */
import { STREAMS, type StreamId } from '../../src/streams/catalog';
import { instantFromMs, parseInstant, type Ticks } from '../../src/time/instant';
import type { RecordFactory } from './records';
import { SLICE_TICKS, sliceOfTicks, sliceStartTicks, streamOrdinal, type SliceEntry, type Timeline } from './timeline';

export interface GroundTruthQuery {
  stream: StreamId;
  start: string | number;
  end: string | number;
  asOf?: string | number;
}

function toTicks(value: string | number): Ticks {
  return typeof value === 'number' ? instantFromMs(value) : parseInstant(value);
}

function toMs(value: string | number): number {
  return typeof value === 'number' ? value : Number(parseInstant(value) / 10_000n);
}

/** Every version visible at `asOf` with time in [start, end), ascending (versions of a record adjacent). */
function* visibleEntries(q: GroundTruthQuery, timeline: Timeline, nowMs: number): Generator<{ entry: SliceEntry; slice: number }> {
  const start = toTicks(q.start);
  const end = toTicks(q.end);
  if (end <= start) return;
  const asOf = q.asOf === undefined ? nowMs : toMs(q.asOf);
  const ordinal = streamOrdinal(q.stream);
  for (let slice = sliceOfTicks(start); slice <= sliceOfTicks(end - 1n); slice++) {
    const base = sliceStartTicks(slice);
    const lo = start > base ? Number(start - base) : 0;
    const hi = end - base < BigInt(SLICE_TICKS) ? Number(end - base) : SLICE_TICKS;
    for (const entry of timeline.merged([ordinal], slice, 'asc')) {
      if (entry.off >= lo && entry.off < hi && entry.vis <= asOf) yield { entry, slice };
    }
  }
}

/** Last visible version of each record in the range, in ascending time order. */
export function* visibleRecords(q: GroundTruthQuery, timeline: Timeline, factory: RecordFactory, nowMs: number): Generator<Record<string, unknown>> {
  const version = STREAMS[q.stream].graphVersion;
  let pending: Record<string, unknown> | undefined;
  for (const { entry, slice } of visibleEntries(q, timeline, nowMs)) {
    const record = factory.build(entry, slice, version);
    if (pending && pending.id !== record.id) yield pending;
    pending = record;
  }
  if (pending) yield pending;
}

export function groundTruthIds(q: GroundTruthQuery, timeline: Timeline, factory: RecordFactory, nowMs: number): string[] {
  const ids = new Set<string>();
  for (const { entry, slice } of visibleEntries(q, timeline, nowMs)) ids.add(factory.id(entry, slice));
  return [...ids];
}
