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
  it('writes compact minutes for ids and names', () => {
    expect(compactMinute(parseInstant('2026-11-27T10:05:59.9Z'))).toBe('20261127T1005Z');
    expect(parseInstant('2026-11-27T10:00:01Z') - parseInstant('2026-11-27T10:00:00Z')).toBe(TICKS_PER_SECOND);
  });
});
