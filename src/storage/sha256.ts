/**
 * SHA-256 (FIPS 180-4) whose running state can be written into a checkpoint and resumed in another process.
 * node:crypto's Hash cannot be serialised, and a file written across several invocations still needs the
 * SHA-256 that `sha256sum` prints for the whole downloaded file.
 */

/** The hash state as plain JSON: chaining values, the unprocessed tail (< 64 bytes) and the byte count. */
export interface Sha256State {
  h: number[];
  /** base64 of buffered bytes < 64 */
  tail: string;
  /** total bytes as decimal string */
  length: string;
}

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL_H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Message schedule scratch space; shared because compression never yields to other code. */
const W = new Int32Array(64);

/** Runs the compression function over every whole 64-byte block of data[offset, end). Returns the new offset. */
function compress(h: Int32Array, data: Uint8Array, offset: number, end: number): number {
  let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
  while (end - offset >= 64) {
    for (let i = 0; i < 16; i++, offset += 4) {
      W[i] = (data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3];
    }
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15], w2 = W[i - 2];
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + (g ^ (e & (f ^ g))) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) | (c & (a | b)))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + hh) | 0;
  }
  h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7;
  return offset;
}

export class ResumableSha256 {
  private readonly h = new Int32Array(8);
  private readonly buffer = new Uint8Array(64);
  private buffered = 0;
  /** Total bytes hashed; a double is exact far beyond any blob size (2^53 bytes). */
  private length = 0;

  constructor(state?: Sha256State) {
    if (!state) {
      this.h.set(INITIAL_H);
      return;
    }
    if (!Array.isArray(state.h) || state.h.length !== 8 || !state.h.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new TypeError('Sha256State.h must be eight 32-bit unsigned integers');
    }
    const tail = Buffer.from(state.tail, 'base64');
    const length = Number(state.length);
    if (tail.length >= 64 || !Number.isSafeInteger(length) || length < 0 || length % 64 !== tail.length) {
      throw new TypeError('Sha256State tail and length do not agree');
    }
    this.h.set(state.h.map((v) => v | 0));
    this.buffer.set(tail);
    this.buffered = tail.length;
    this.length = length;
  }

  update(data: Uint8Array): this {
    let offset = 0;
    const end = data.length;
    this.length += end;
    if (this.buffered > 0) {
      const take = Math.min(64 - this.buffered, end);
      this.buffer.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      offset = take;
      if (this.buffered < 64) return this;
      compress(this.h, this.buffer, 0, 64);
      this.buffered = 0;
    }
    offset = compress(this.h, data, offset, end);
    if (offset < end) {
      this.buffer.set(data.subarray(offset, end), 0);
      this.buffered = end - offset;
    }
    return this;
  }

  state(): Sha256State {
    return {
      h: Array.from(this.h, (v) => v >>> 0),
      tail: Buffer.from(this.buffer.subarray(0, this.buffered)).toString('base64'),
      length: String(this.length),
    };
  }

  digestHex(): string {
    const h = new Int32Array(this.h);
    const padLength = this.buffered < 56 ? 64 : 128;
    const block = new Uint8Array(padLength);
    block.set(this.buffer.subarray(0, this.buffered));
    block[this.buffered] = 0x80;
    const bits = this.length * 8;
    const view = new DataView(block.buffer);
    view.setUint32(padLength - 8, Math.floor(bits / 0x100000000));
    view.setUint32(padLength - 4, bits >>> 0);
    compress(h, block, 0, padLength);
    let hex = '';
    for (const v of h) hex += (v >>> 0).toString(16).padStart(8, '0');
    return hex;
  }
}
