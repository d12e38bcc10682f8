/**
 * The record sieve's memory of the ids it handed out last: a fixed number of ids, the oldest forgotten first.
 *
 * Held as 96-bit hashes in typed arrays allocated once (12 bytes an id in a ring, 8 in a hash table: 2.4 MB for
 * 100,000 ids), not as a Set of id strings (about 90 bytes an id, allocated as the export goes). An export's memory
 * is then the same from its first record to its millionth: the Set grew for the first 100,000 records of every
 * invocation, which was most of the difference between a small export's heap and a large one's.
 *
 * A hash collision would make the sieve drop a new record as one it had written: with 96 bits and at most 100,000 ids
 * remembered, the chance per record is below 2^-79 (about 10^-24), so it is not a way records go missing.
 */
// Bound once: a global looked up in a hot loop is slow where code runs in a vm context (Jest's test environment).
const imul = Math.imul;

export class RecentIds {
  /** Three hash words per id, in the order the ids were added (a ring once full). */
  private readonly ring: Int32Array;
  /** Open addressing with linear probing: ring index + 1, 0 = empty. At most half full. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private nextSlot = 0;
  private count = 0;
  // The hash of the id being looked at (no allocation per call).
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`RecentIds capacity must be a positive integer, not ${capacity}`);
    this.ring = new Int32Array(capacity * 3);
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    this.hash(id);
    return this.find() >= 0;
  }

  /** Remembers `id`; an id already remembered keeps its place. When full, the oldest id is forgotten. */
  add(id: string): void {
    this.hash(id);
    if (this.find() >= 0) return;
    const slot = this.nextSlot;
    if (this.count === this.capacity) this.forget(slot);
    else this.count++;
    const ring = this.ring;
    ring[slot * 3] = this.h1;
    ring[slot * 3 + 1] = this.h2;
    ring[slot * 3 + 2] = this.h3;
    let i = this.h1 & this.mask;
    while (this.table[i] !== 0) i = (i + 1) & this.mask;
    this.table[i] = slot + 1;
    this.nextSlot = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** Table position of the current hash, or -1. */
  private find(): number {
    const { table, ring, mask, h1, h2, h3 } = this;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      const entry = table[i];
      if (entry === 0) return -1;
      const at = (entry - 1) * 3;
      if (ring[at] === h1 && ring[at + 1] === h2 && ring[at + 2] === h3) return i;
    }
  }

  /** Removes ring slot `slot` from the table, shifting later entries of its probe run back (no tombstones). */
  private forget(slot: number): void {
    const { table, ring, mask } = this;
    let hole = ring[slot * 3] & mask;
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = ring[(table[j] - 1) * 3] & mask;
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      table[hole] = table[j];
      hole = j;
    }
    table[hole] = 0;
  }

  /** Three 32-bit lanes over the id's UTF-16 code units, each with its own multiplier, mixed at the end. */
  private hash(id: string): void {
    let a = 0x9e3779b9 ^ id.length;
    let b = 0x85ebca6b ^ id.length;
    let c = 0xc2b2ae35 ^ id.length;
    for (let i = 0; i < id.length; i++) {
      const code = id.charCodeAt(i);
      a = imul(a ^ code, 0x01000193);
      b = imul(b ^ code, 0x5bd1e995);
      c = imul(c ^ code, 0x27d4eb2d);
    }
    a = imul(a ^ (a >>> 16), 0x85ebca6b) ^ imul(b ^ (b >>> 13), 0xc2b2ae35);
    b = imul(b ^ (b >>> 16), 0x85ebca6b) ^ imul(c ^ (c >>> 13), 0xc2b2ae35);
    c = imul(c ^ (c >>> 16), 0x85ebca6b) ^ imul(a ^ (a >>> 13), 0xc2b2ae35);
    this.h1 = a ^ (a >>> 15);
    this.h2 = b ^ (b >>> 15);
    this.h3 = c ^ (c >>> 15);
  }
}
