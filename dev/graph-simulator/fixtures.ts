/**
 * Fixture records from files: a Graph page (`{"value":[...]}`) or a JSON array as the admin center
 * downloads it. They are served as written, visible from their own timestamp, mixed into or replacing
 * a stream's generated records.
 */
import { readFileSync } from 'node:fs';
import { STREAMS, type StreamId } from '../../src/streams/catalog';
import { parseInstant } from '../../src/time/instant';
import { SLICE_TICKS, sliceOfTicks, sliceStartTicks, streamOrdinal, TICKS_PER_MS_NUMBER, type FixtureIndex, type SliceEntry } from './timeline';

export interface FixtureSpec {
  stream: StreamId;
  file: string;
  mode: 'mix' | 'replace';
}

const FIXTURE_INDEX_BASE = 1_000_000_000;

function recordsOf(parsed: unknown, file: string): Record<string, unknown>[] {
  const list = Array.isArray(parsed) ? parsed : typeof parsed === 'object' && parsed !== null ? (parsed as { value?: unknown }).value : undefined;
  if (!Array.isArray(list)) throw new Error(`Fixture ${file} is neither a JSON array nor a Graph page with "value"`);
  return list.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
}

export function loadFixtures(specs: readonly FixtureSpec[]): FixtureIndex & { earliestTicks?: bigint } {
  const index: FixtureIndex & { earliestTicks?: bigint } = { replaced: new Set(), bySlice: new Map() };
  let position = 0;
  for (const spec of specs) {
    const ordinal = streamOrdinal(spec.stream);
    if (spec.mode === 'replace') index.replaced.add(ordinal);
    const timeProperty = STREAMS[spec.stream].timeProperty;
    const slices = index.bySlice.get(ordinal) ?? new Map<number, SliceEntry[]>();
    index.bySlice.set(ordinal, slices);
    for (const record of recordsOf(JSON.parse(readFileSync(spec.file, 'utf8')), spec.file)) {
      const time = record[timeProperty];
      if (typeof time !== 'string') throw new Error(`Fixture record in ${spec.file} has no ${timeProperty}`);
      const ticks = parseInstant(time);
      const slice = sliceOfTicks(ticks);
      const off = Number(ticks - sliceStartTicks(slice));
      const entry: SliceEntry = { off, s: ordinal, i: FIXTURE_INDEX_BASE + position++, p: 0, v: 0, vis: slice * (SLICE_TICKS / TICKS_PER_MS_NUMBER) + off / TICKS_PER_MS_NUMBER, fx: record };
      const list = slices.get(slice) ?? [];
      list.push(entry);
      slices.set(slice, list);
      if (index.earliestTicks === undefined || ticks < index.earliestTicks) index.earliestTicks = ticks;
    }
  }
  return index;
}
