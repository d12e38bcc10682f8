import { randomBytes } from 'node:crypto';
import { clearChunked, readChunked, writeChunked } from '../../../src/storage/chunkedProperty';

describe('chunked table properties', () => {
  it('round-trips a 200 KB string in chunks that fit a table property', () => {
    const json = JSON.stringify({ data: randomBytes(150_000).toString('base64') });
    expect(json.length).toBeGreaterThan(200_000);
    const props = writeChunked('cp', json);
    expect(Number(props.cpCount)).toBe(7);
    for (let i = 0; i < 7; i++) expect(props[`cp${i}`].length).toBeLessThanOrEqual(32 * 1024);
    expect(readChunked('cp', { ...props, other: 1 })).toBe(json);
  });

  it('writes an empty value as zero chunks and reads it back', () => {
    const props = writeChunked('cp', '');
    expect(props).toEqual({ cpCount: '0' });
    expect(readChunked('cp', props)).toBe('');
  });

  it('never splits a surrogate pair between chunks', () => {
    const json = '😀'.repeat(10);
    const props = writeChunked('x', json, 3);
    for (const [name, value] of Object.entries(props)) {
      if (name === 'xCount') continue;
      // A lone surrogate does not survive UTF-8 (it becomes U+FFFD).
      expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
    }
    expect(readChunked('x', props)).toBe(json);
  });

  it('reads only up to the count, ignoring leftovers of a larger earlier value', () => {
    const big = writeChunked('cp', 'a'.repeat(10), 3);
    const small = writeChunked('cp', 'bbbb', 3);
    const merged = { ...big, ...small };
    expect(readChunked('cp', merged)).toBe('bbbb');
    expect(clearChunked('cp', merged, 2)).toEqual({ cp2: '', cp3: '' });
    expect(clearChunked('cp', { ...merged, cp2: '', cp3: '' }, 2)).toEqual({});
  });

  it('returns undefined when there is no value and fails on a missing chunk', () => {
    expect(readChunked('cp', { other: 'x' })).toBeUndefined();
    expect(() => readChunked('cp', { cpCount: 2, cp0: 'a' })).toThrow(/cp1 is missing/);
  });
});
