/**
 * Cheap deterministic randomness: every record, slice and fault draw is a pure function of the seed and
 * integer coordinates, so any part of the simulated history can be regenerated on demand in any order.
 */

// Local bindings: inside a vm context (Jest) every global lookup such as `Math` goes through an interceptor,
// which made these hot functions an order of magnitude slower.
const imul = Math.imul;
const floor = Math.floor;

/** FNV-1a hash of a string to an unsigned 32-bit integer. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one well-distributed 32-bit value (murmur3 finalizer over a running combination). */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h ^= imul((part | 0) ^ (floor(part / 0x100000000) | 0), 0x85ebca6b);
    h = imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

/** A small seeded generator (mulberry32). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uint32(): number {
    return floor(this.next() * 4294967296);
  }

  int(maxExclusive: number): number {
    return floor(this.next() * maxExclusive);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }

  /** Lowercase hex digits; `length` should be even. */
  hex(length: number): string {
    let out = '';
    for (let n = 0; n < length; n += 2) out += HEX_BYTES[(this.next() * 256) | 0];
    return length % 2 === 0 ? out : out.slice(0, length);
  }

  guid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** The 32-bit seed for a configured seed value. */
export function seedHash(seed: string | number): number {
  return hashString(`graph-simulator:${String(seed)}`);
}
