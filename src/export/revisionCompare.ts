/**
 * The part of a session that compares a re-check or re-run with the revision it may replace: the previous revision's
 * fingerprints, loaded once per invocation, and running counts of matched, added and changed records (carried from
 * invocation to invocation in the checkpoint). See fingerprints.ts and revisions.ts.
 */
import type { ExportFileStore } from '../storage/fileStore';
import { compareWith, Fingerprint, loadFingerprints } from './fingerprints';
import type { JobResult, PreviousRevision, RevisionComparison } from './job';

export class RevisionCompare {
  private prints?: ReadonlyMap<string, string>;
  private readonly counts: RevisionComparison;

  constructor(
    private readonly previous: PreviousRevision,
    saved: RevisionComparison | undefined,
  ) {
    this.counts = { ...(saved ?? { matched: 0, added: 0, changed: 0 }) };
  }

  /** Loads the previous revision's fingerprints (none to load for an empty revision; absent on older revisions). */
  async load(store: ExportFileStore): Promise<void> {
    if (this.previous.records === 0) this.prints = new Map();
    else if (this.previous.fingerprintsBlob) this.prints = await loadFingerprints(store, this.previous.fingerprintsBlob);
  }

  add(prints: readonly Fingerprint[]): void {
    if (this.prints) compareWith(this.prints, prints, this.counts);
  }

  /** For the checkpoint. */
  state(): RevisionComparison {
    return { ...this.counts };
  }

  /** Every record of the previous revision read again, unchanged, and nothing else (`records`: written in this pass). */
  same(records: number, idDigest: string): boolean {
    if (this.prints) return this.counts.added === 0 && this.counts.changed === 0 && this.counts.matched === this.prints.size && records === this.previous.records;
    // A revision written before fingerprints existed: its ids (and count) are all there is to compare.
    return this.previous.idDigest === idDigest && this.previous.records === records;
  }

  /** The result's comparison, from the checkpointed counts; undefined when there were no fingerprints to compare. */
  result(saved: RevisionComparison | undefined): JobResult['comparison'] {
    if (!this.prints || !saved) return undefined;
    return { previousRevision: this.previous.revision, ...saved, missing: this.prints.size - saved.matched };
  }
}
