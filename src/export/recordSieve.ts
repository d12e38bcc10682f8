/**
 * What lets a record into a window's files, exactly once.
 *
 * Graph pages newest first. Records that share one instant form a group; a group is complete when a record with
 * an older time arrives (or paging ends). Within a group, records with the same id are one record and the last
 * version seen wins (Graph republishes events with the same id and time). Only complete groups are written, so a
 * checkpoint's cursor is the time of the oldest group written and `idsAtCursor` names what was written at that
 * instant: a continuation that re-reads `[start, cursor]` drops exactly that. Memory holds one group at a time; a
 * burst too large for one invocation (or for memory) is split, see splitOpenGroup.
 *
 * Graph may serve a record again on a later page (its paging shifted under newly published records, or the event
 * was republished at another instant): the ids written recently (RECENT_IDS_KEPT) are remembered, and a record seen
 * again outside its own group is dropped as a duplicate, keeping the version already written.
 */
import { createHash } from 'node:crypto';
import type { GraphRecord } from '../formats/types';
import { Ticks, tryParseInstant } from '../time/instant';
import { RecentIds } from './recentIds';

export interface SieveBounds {
  start: Ticks;
  /** Exclusive end of the window. */
  end: Ticks;
  /** Continuation: records after this instant were written by an earlier invocation. */
  cursor?: Ticks;
  /** Hashes of ids already written at exactly `cursor`. */
  idsAtCursor: ReadonlySet<string>;
  /** Records read but held back by the split that made this checkpoint (they open the first group). */
  held?: readonly GraphRecord[];
}

export interface SieveCounts {
  duplicatesDropped: number;
  outsideWindowDropped: number;
}

export interface CompletedGroup {
  ticks: Ticks;
  records: GraphRecord[];
}

export function idHash(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 16);
}

/** Ids remembered for re-served records: far more than pages Graph could shift by, at 20 bytes each (RecentIds). */
export const RECENT_IDS_KEPT = 100_000;

export class RecordSieve {
  private pending?: { ticks: Ticks; byId: Map<string, GraphRecord> };
  /** Id of the last record the open group took: the one a split holds back. */
  private lastAcceptedId?: string;
  /** Ids handed out by this sieve, the last RECENT_IDS_KEPT of them. */
  private readonly recent = new RecentIds(RECENT_IDS_KEPT);
  private readonly ready: GraphRecord[] = [];
  /**
   * The oldest complete group so far: the next checkpoint's cursor. Ids of groups completed here are kept as they
   * are and hashed only when a checkpoint asks (position()): most groups are passed by before any checkpoint.
   */
  private lastComplete?: { ticks: Ticks; ids: Set<string>; idHashes: ReadonlySet<string> };
  readonly counts: SieveCounts = { duplicatesDropped: 0, outsideWindowDropped: 0 };

  constructor(
    private readonly bounds: SieveBounds,
    private readonly timeProperty: string,
  ) {
    if (bounds.cursor !== undefined) this.lastComplete = { ticks: bounds.cursor, ids: new Set(), idHashes: bounds.idsAtCursor };
    this.accept(bounds.held ?? []);
  }

  /** Feeds one page of records, in Graph's order. */
  accept(records: readonly GraphRecord[]): void {
    for (const record of records) this.acceptOne(record);
  }

  /** Paging ended: the open group is complete. */
  finish(): void {
    this.closePending();
  }

  /**
   * Hands out the open group before it is complete: when an invocation must stop inside a burst of records that
   * share one instant (or the burst outgrows memory). Its ids join `idsAtCursor`, so the rest of the burst is still
   * read and nothing is written twice; a repeated id that straddles the split keeps its first version.
   */
  splitOpenGroup(options: { holdLast?: boolean; maxHeldBytes?: number } = {}): GraphRecord[] {
    const pending = this.pending;
    const id = this.lastAcceptedId;
    if (!options.holdLast || !pending || id === undefined || !pending.byId.has(id)) {
      this.closePending();
      return [];
    }
    // The last record read stays out of the split: Graph serves a republished version right after its original, and
    // it may open the next page. Held in the checkpoint, it rejoins the open group there and the last version wins.
    const held = pending.byId.get(id) as GraphRecord;
    if (options.maxHeldBytes !== undefined && JSON.stringify(held).length > options.maxHeldBytes) {
      this.closePending();
      return [];
    }
    pending.byId.delete(id);
    if (pending.byId.size === 0) this.pending = undefined;
    else this.closePending();
    return [held];
  }

  /**
   * Whether an invocation that stops here may leave the open group to its continuation instead of splitting it: this
   * sieve completed a group at an instant other than the one it resumed at (so the continuation's cursor moves on),
   * and both that group and the open one hold at most `maxSize` records (cheap to read again). Read again whole, the
   * group keeps the last version of a record republished at its instant; a split would write the version read before
   * the stop and the continuation would drop the later one as already written.
   */
  canLeaveOpenGroup(maxSize: number): boolean {
    const last = this.lastComplete;
    if (!this.pending || this.pending.byId.size > maxSize || !last) return false;
    if (last.ticks === this.pending.ticks || last.ids.size > maxSize) return false;
    return this.bounds.cursor === undefined || last.ticks !== this.bounds.cursor;
  }

  /** The open group continues the instant of the last complete group (a burst already written split). */
  openGroupContinuesCursor(): boolean {
    return this.pending !== undefined && this.lastComplete?.ticks === this.pending.ticks;
  }

  /** Records held in the open group. */
  openGroupSize(): number {
    return this.pending?.byId.size ?? 0;
  }

  /** Records of complete groups not yet handed out, in Graph's order. */
  takeReady(): GraphRecord[] {
    return this.ready.splice(0, this.ready.length);
  }

  /** Where a continuation would resume if everything taken so far is written. */
  position(): { cursor?: Ticks; idsAtCursor: string[] } {
    if (!this.lastComplete) return { idsAtCursor: [] };
    const { ticks, ids, idHashes } = this.lastComplete;
    const hashes = new Set(idHashes);
    for (const id of ids) hashes.add(idHash(id));
    return { cursor: ticks, idsAtCursor: [...hashes] };
  }

  private acceptOne(record: GraphRecord): void {
    const ticks = tryParseInstant(record[this.timeProperty]);
    const { start, end, cursor } = this.bounds;
    if (ticks === undefined || typeof record.id !== 'string') {
      throw new Error(`Graph returned a record without a valid id or ${this.timeProperty}: ${JSON.stringify(record).slice(0, 200)}`);
    }
    if (ticks < start || ticks >= end || (cursor !== undefined && ticks > cursor)) {
      this.counts.outsideWindowDropped++;
      return;
    }
    // Already written at this instant: by an earlier invocation (the cursor), or before a split group (below).
    if (this.lastComplete && ticks === this.lastComplete.ticks && this.wasWrittenAtCursor(record.id)) {
      this.counts.duplicatesDropped++;
      return;
    }
    if (this.pending && ticks === this.pending.ticks) {
      if (this.pending.byId.has(record.id)) this.counts.duplicatesDropped++;
      this.pending.byId.set(record.id, record);
      this.lastAcceptedId = record.id;
      return;
    }
    // Served again outside its group (a later page, another instant): the version already written stays.
    if (this.recent.has(record.id)) {
      this.counts.duplicatesDropped++;
      return;
    }
    if (this.pending && ticks > this.pending.ticks) {
      // Out of Graph's order: written as it comes rather than dropped (nothing may be lost).
      this.ready.push(record);
      this.remember(record.id);
      return;
    }
    this.closePending();
    this.pending = { ticks, byId: new Map([[record.id, record]]) };
    this.lastAcceptedId = record.id;
  }

  private remember(id: string): void {
    this.recent.add(id);
  }

  private wasWrittenAtCursor(id: string): boolean {
    const { ids, idHashes } = this.lastComplete as NonNullable<RecordSieve['lastComplete']>;
    return ids.has(id) || (idHashes.size > 0 && idHashes.has(idHash(id)));
  }

  private closePending(): void {
    if (!this.pending) return;
    const { ticks, byId } = this.pending;
    this.pending = undefined;
    for (const record of byId.values()) this.ready.push(record);
    for (const id of byId.keys()) this.remember(id);
    if (this.lastComplete && this.lastComplete.ticks === ticks) {
      for (const id of byId.keys()) this.lastComplete.ids.add(id);
    } else {
      this.lastComplete = { ticks, ids: new Set(byId.keys()), idHashes: new Set() };
    }
  }
}
