/**
 * SHA-256 (FIPS 180-4) whose running state can be written into a checkpoint and resumed in another process.
 * node:crypto's Hash cannot be serialised, and a file written across several invocations still needs the
 * SHA-256 that `sha256sum` prints for the whole downloaded file.
 *
 * The hashing itself is hash-wasm's WebAssembly SHA-256 (about ten times the speed of the JavaScript one this
 * replaced, which was a tenth of the worker's CPU). The checkpoint keeps the implementation-neutral form it always
 * had (chaining values, unprocessed tail, byte count), converted to and from hash-wasm's saved state, so checkpoints
 * written before the change resume unchanged. The conversion depends on hash-wasm's state layout, which is why the
 * package is pinned to an exact version; test/unit/storage/sha256.test.ts checks it against node:crypto.
 */
import { createSHA256, type IHasher } from 'hash-wasm';

/** The hash state as plain JSON: chaining values, the unprocessed tail (< 64 bytes) and the byte count. */
export interface Sha256State {
  h: number[];
  /** base64 of buffered bytes < 64 */
  tail: string;
  /** total bytes as decimal string */
  length: string;
}

const INITIAL_H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export const EMPTY_SHA256_STATE: Sha256State = { h: INITIAL_H, tail: '', length: '0' };

/**
 * hash-wasm 4.13's saved SHA-256 state, 116 bytes: a 4-byte check value of the WebAssembly build, the 64-byte block
 * buffer, the byte count (u64, little-endian), the eight chaining values (u32, little-endian) and the digest size
 * (u64). The check value and digest size are copied from a fresh hasher's own state.
 */
const LAYOUT = { size: 116, buffer: 4, count: 68, h: 76, digestSize: 108 } as const;

export class ResumableSha256 {
  private constructor(
    private readonly hasher: IHasher,
    private length: number,
  ) {}

  /** A hasher continuing from `state` (a new hash without one). */
  static async resume(state: Sha256State = EMPTY_SHA256_STATE): Promise<ResumableSha256> {
    const { h, tail, length } = validate(state);
    const hasher = await createSHA256();
    hasher.init();
    const saved = Buffer.from(hasher.save());
    if (saved.length !== LAYOUT.size) throw new Error(`hash-wasm's SHA-256 state has ${saved.length} bytes, expected ${LAYOUT.size}: its layout changed`);
    saved.fill(0, LAYOUT.buffer, LAYOUT.count);
    tail.copy(saved, LAYOUT.buffer);
    saved.writeBigUInt64LE(BigInt(length), LAYOUT.count);
    for (let i = 0; i < 8; i++) saved.writeUInt32LE(h[i], LAYOUT.h + 4 * i);
    hasher.load(saved);
    return new ResumableSha256(hasher, length);
  }

  update(data: Uint8Array): this {
    this.hasher.update(data);
    this.length += data.length;
    return this;
  }

  state(): Sha256State {
    const saved = Buffer.from(this.hasher.save());
    const count = Number(saved.readBigUInt64LE(LAYOUT.count));
    if (count !== this.length) throw new Error(`hash-wasm's SHA-256 state counts ${count} bytes, expected ${this.length}: its layout changed`);
    const h = Array.from({ length: 8 }, (_, i) => saved.readUInt32LE(LAYOUT.h + 4 * i));
    const tail = saved.subarray(LAYOUT.buffer, LAYOUT.buffer + (count % 64));
    return { h, tail: tail.toString('base64'), length: String(count) };
  }

  /** The digest so far, in hex; the state is unchanged (more data may follow). */
  digestHex(): string {
    const saved = this.hasher.save();
    const hex = this.hasher.digest('hex');
    this.hasher.load(saved);
    return hex;
  }
}

function validate(state: Sha256State): { h: number[]; tail: Buffer; length: number } {
  if (!Array.isArray(state.h) || state.h.length !== 8 || !state.h.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
    throw new TypeError('Sha256State.h must be eight 32-bit unsigned integers');
  }
  const tail = Buffer.from(state.tail, 'base64');
  const length = Number(state.length);
  if (tail.length >= 64 || !Number.isSafeInteger(length) || length < 0 || length % 64 !== tail.length) {
    throw new TypeError('Sha256State tail and length do not agree');
  }
  return { h: state.h, tail, length };
}
