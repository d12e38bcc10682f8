import { blockId } from '../../../src/storage/blockIds';

describe('blockId', () => {
  it('encodes epoch and sequence as a fixed-width ASCII string in base64', () => {
    expect(Buffer.from(blockId(1, 1), 'base64').toString('ascii')).toBe('e000001-s000001');
    expect(Buffer.from(blockId(999_999, 42), 'base64').toString('ascii')).toBe('e999999-s000042');
  });

  it('gives every block of every blob the same length and distinct ids', () => {
    const ids = new Set<string>();
    for (const epoch of [0, 1, 12, 999_999]) {
      for (const sequence of [0, 9, 10, 49_999, 999_999]) ids.add(blockId(epoch, sequence));
    }
    expect(ids.size).toBe(20);
    expect(new Set([...ids].map((id) => id.length)).size).toBe(1);
  });

  it('rejects values outside [0, 10^6) and non-integers', () => {
    expect(() => blockId(1_000_000, 0)).toThrow(RangeError);
    expect(() => blockId(0, 1_000_000)).toThrow(RangeError);
    expect(() => blockId(-1, 0)).toThrow(RangeError);
    expect(() => blockId(0, 1.5)).toThrow(RangeError);
  });
});
