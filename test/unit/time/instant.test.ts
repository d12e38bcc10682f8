import { compactMinute, formatInstant, parseInstant, TICKS_PER_SECOND } from '../../../src/time/instant';

describe('instant', () => {
  it('keeps Graph 100 ns precision and orders exactly', () => {
    const a = parseInstant('2020-03-13T19:15:41.6195833Z');
    const b = parseInstant('2020-03-13T19:15:41.6195834Z');
    expect(b - a).toBe(1n);
    expect(formatInstant(a)).toBe('2020-03-13T19:15:41.6195833Z');
  });
  it('accepts 0 to 7 fraction digits and offsets', () => {
    expect(formatInstant(parseInstant('2026-11-27T10:00:00Z'))).toBe('2026-11-27T10:00:00Z');
    expect(formatInstant(parseInstant('2026-11-27T10:00:00.5Z'), 7)).toBe('2026-11-27T10:00:00.5000000Z');
    expect(parseInstant('2026-11-27T11:00:00+01:00')).toBe(parseInstant('2026-11-27T10:00:00Z'));
  });
  it('rejects text that is not a zoned timestamp', () => {
    expect(() => parseInstant('2026-11-27 10:00')).toThrow(RangeError);
    expect(() => parseInstant('2026-11-27T10:00:00')).toThrow(RangeError);
  });
  it.each([
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-27T25:00:00Z',
    '2026-11-27T24:00:00Z',
    '2026-11-27T10:60:00Z',
    '2026-11-27T10:00:60Z',
    '2026-11-27T10:00:00+25:00',
    '2026-11-27T10:00:00+01:60',
  ])('refuses the impossible %s instead of rolling it over', (text) => {
    expect(() => parseInstant(text)).toThrow(RangeError);
  });
  it("reads Graph's own form exactly as the general parser does, valid or not", () => {
    // A leading space keeps a text off the fast path for Graph's form; the general parser trims it.
    const general = (text: string): bigint | string => {
      try {
        return parseInstant(` ${text}`);
      } catch (error) {
        return (error as Error).name;
      }
    };
    const fast = (text: string): bigint | string => {
      try {
        return parseInstant(text);
      } catch (error) {
        return (error as Error).name;
      }
    };
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pad = (v: number, width: number): string => String(v).padStart(width, '0');
    const samples = ['2000-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-11-27T10:00:00.123456789Z', '2026-11-27T10:00:00.12345678xZ', '2026-11-27T10:00:00.Z'];
    for (let i = 0; i < 3000; i++) {
      const fraction = random(3) === 0 ? '' : `.${'1234567890'.slice(0, 1 + random(9))}`;
      samples.push(`${pad(1 + random(2999), 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}T${pad(random(26), 2)}:${pad(random(61), 2)}:${pad(random(62), 2)}${fraction}Z`);
    }
    for (const text of samples) expect([text, fast(text)]).toEqual([text, general(text)]);
  });
  it('keeps leap days and years before 100 as written', () => {
    expect(formatInstant(parseInstant('2024-02-29T23:59:59Z'))).toBe('2024-02-29T23:59:59Z');
    expect(formatInstant(parseInstant('0001-01-01T00:00:00Z'))).toBe('0001-01-01T00:00:00Z');
  });
  it('writes compact minutes for ids and names', () => {
    expect(compactMinute(parseInstant('2026-11-27T10:05:59.9Z'))).toBe('20261127T1005Z');
    expect(parseInstant('2026-11-27T10:00:01Z') - parseInstant('2026-11-27T10:00:00Z')).toBe(TICKS_PER_SECOND);
  });
});
