/**
 * The next block of one output file, as bytes: encoders write their text into it as UTF-8 (TextSink), and the
 * flush stages a view of it. The memory is reused from block to block, so a block costs no allocation of its own and
 * no copy beyond the UTF-8 encoding itself (the strings are never joined into one, and the pieces never concatenated).
 *
 * A view handed out by `bytes()` is valid until the next write or `clear()`: the caller stages it (gzip, upload,
 * hash) and only then clears.
 */
import type { TextSink } from './types';

const INITIAL_CAPACITY = 64 * 1024;
/** A buffer grown beyond this (a block of one huge batch) is let go at `clear()` rather than kept for the next. */
const MAX_KEPT_CAPACITY = 16 * 1024 * 1024;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair is 2 units and 4 bytes). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

export class BlockBuffer implements TextSink {
  private buffer: Buffer;
  private used = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.used;
  }

  write(text: string): void {
    if (this.used + text.length * MAX_UTF8_BYTES_PER_UNIT > this.buffer.length) this.reserve(Buffer.byteLength(text, 'utf8'));
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  writeBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** The bytes written since the last clear (a view, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  clear(): void {
    this.used = 0;
    if (this.buffer.length > MAX_KEPT_CAPACITY) this.buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  private reserve(more: number): void {
    const needed = this.used + more;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
