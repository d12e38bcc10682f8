import { createHash, randomBytes } from 'node:crypto';
import { ResumableSha256, type Sha256State } from '../../../src/storage/sha256';

const nodeSha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Deterministic pseudo-random generator so a failure can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

describe('ResumableSha256', () => {
  it('hashes the empty input', async () => {
    expect((await ResumableSha256.resume()).digestHex()).toBe(nodeSha256(new Uint8Array(0)));
  });

  it.each([1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000])('matches node:crypto for %i bytes', async (size) => {
    const data = randomBytes(size);
    expect((await ResumableSha256.resume()).update(data).digestHex()).toBe(nodeSha256(data));
  });

  it('matches node:crypto for random data split at random points', async () => {
    const random = rng(42);
    for (let trial = 0; trial < 60; trial++) {
      const data = randomBytes(Math.floor(random() * 5000));
      const hash = (await ResumableSha256.resume());
      let offset = 0;
      while (offset < data.length) {
        const take = Math.floor(random() * 200);
        hash.update(data.subarray(offset, offset + take));
        offset += take;
      }
      expect(hash.digestHex()).toBe(nodeSha256(data));
    }
  });

  it('resumes from a JSON round trip of its state in the middle of the input', async () => {
    const random = rng(7);
    for (let trial = 0; trial < 40; trial++) {
      const data = randomBytes(1 + Math.floor(random() * 3000));
      const cut = Math.floor(random() * data.length);
      const first = (await ResumableSha256.resume()).update(data.subarray(0, cut));
      const saved = JSON.parse(JSON.stringify(first.state())) as Sha256State;
      expect(Buffer.from(saved.tail, 'base64').length).toBe(cut % 64);
      expect(saved.length).toBe(String(cut));
      const resumed = (await ResumableSha256.resume(saved)).update(data.subarray(cut));
      expect(resumed.digestHex()).toBe(nodeSha256(data));
    }
  });

  it('digestHex does not change the state', async () => {
    const data = randomBytes(100);
    const hash = (await ResumableSha256.resume()).update(data.subarray(0, 70));
    const before = hash.state();
    expect(hash.digestHex()).toBe(nodeSha256(data.subarray(0, 70)));
    expect(hash.state()).toEqual(before);
    hash.update(data.subarray(70));
    expect(hash.digestHex()).toBe(nodeSha256(data));
  });

  it('hashes a large input fed in uneven pieces', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const hash = (await ResumableSha256.resume());
    for (let offset = 0; offset < data.length; offset += 65_537) hash.update(data.subarray(offset, offset + 65_537));
    expect(hash.digestHex()).toBe(nodeSha256(data));
  });

  it('rejects a state whose tail and length disagree', async () => {
    const state = (await ResumableSha256.resume()).update(randomBytes(70)).state();
    await expect(ResumableSha256.resume({ ...state, length: '71' })).rejects.toThrow(TypeError);
    await expect(ResumableSha256.resume({ ...state, h: state.h.slice(1) })).rejects.toThrow(TypeError);
  });

  it('resumes a checkpoint written by the earlier JavaScript implementation (same state format)', async () => {
    const data = Buffer.from(Array.from({ length: 200 }, (_, i) => (i + 1) & 0xff));
    // The state the JavaScript SHA-256 saved after the first 70 of these bytes.
    const legacy: Sha256State = {
      h: [0xb7bd39df, 0xf2ab58f3, 0xe9d14052, 0xa7c6c991, 0x489caec9, 0x9a1d4d9c, 0x7d521c15, 0xf9f2fced],
      tail: Buffer.from([0x41, 0x42, 0x43, 0x44, 0x45, 0x46]).toString('base64'),
      length: '70',
    };
    expect((await ResumableSha256.resume()).update(data.subarray(0, 70)).state()).toEqual(legacy);
    expect((await ResumableSha256.resume(legacy)).update(data.subarray(70)).digestHex()).toBe(nodeSha256(data));
  });
});
