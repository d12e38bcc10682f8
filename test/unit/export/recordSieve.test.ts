import { idHash, RecordSieve } from '../../../src/export/recordSieve';
import { formatInstant, parseInstant } from '../../../src/time/instant';

const rec = (id: string, time: string, extra: Record<string, unknown> = {}) => ({ id, activityDateTime: time, ...extra });
const ids = (records: Array<{ id: string }>) => records.map((r) => r.id);

describe('RecordSieve', () => {
  const start = parseInstant('2026-11-27T10:00:00Z');
  const end = parseInstant('2026-11-27T11:00:00Z');

  it('keeps [start, end) and drops the edges Graph returns with ge/le', () => {
    const sieve = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    sieve.accept([rec('at-end', '2026-11-27T11:00:00Z'), rec('in', '2026-11-27T10:30:00Z'), rec('at-start', '2026-11-27T10:00:00Z'), rec('before', '2026-11-27T09:59:59.9999999Z')]);
    sieve.finish();
    expect(ids(sieve.takeReady())).toEqual(['in', 'at-start']);
    expect(sieve.counts.outsideWindowDropped).toBe(2);
  });

  it('writes a group only when complete and keeps the last version of a repeated id', () => {
    const sieve = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    sieve.accept([rec('a', '2026-11-27T10:30:00.1234567Z', { v: 1 }), rec('b', '2026-11-27T10:30:00.1234567Z'), rec('a', '2026-11-27T10:30:00.1234567Z', { v: 2 })]);
    expect(sieve.takeReady()).toEqual([]);
    sieve.accept([rec('c', '2026-11-27T10:20:00Z')]);
    const ready = sieve.takeReady();
    expect(ready).toEqual([rec('a', '2026-11-27T10:30:00.1234567Z', { v: 2 }), rec('b', '2026-11-27T10:30:00.1234567Z')]);
    expect(sieve.counts.duplicatesDropped).toBe(1);
    const pos = sieve.position();
    expect(formatInstant(pos.cursor as bigint)).toBe('2026-11-27T10:30:00.1234567Z');
    expect(new Set(pos.idsAtCursor)).toEqual(new Set([idHash('a'), idHash('b')]));
  });

  it('resumes at a cursor: drops what was written at that instant, keeps late arrivals there', () => {
    const cursor = parseInstant('2026-11-27T10:30:00Z');
    const sieve = new RecordSieve({ start, end, cursor, idsAtCursor: new Set([idHash('a')]) }, 'activityDateTime');
    sieve.accept([rec('newer', '2026-11-27T10:40:00Z'), rec('a', '2026-11-27T10:30:00Z'), rec('late', '2026-11-27T10:30:00Z'), rec('older', '2026-11-27T10:10:00Z')]);
    sieve.finish();
    expect(ids(sieve.takeReady())).toEqual(['late', 'older']);
    expect(sieve.counts).toEqual({ duplicatesDropped: 1, outsideWindowDropped: 1 });
  });

  it('merges the ids of a group that continues at the cursor instant', () => {
    const cursor = parseInstant('2026-11-27T10:30:00Z');
    const sieve = new RecordSieve({ start, end, cursor, idsAtCursor: new Set([idHash('a')]) }, 'activityDateTime');
    sieve.accept([rec('b', '2026-11-27T10:30:00Z'), rec('z', '2026-11-27T10:05:00Z')]);
    const pos = sieve.position();
    expect(new Set(pos.idsAtCursor)).toEqual(new Set([idHash('a'), idHash('b')]));
  });

  it('drops a record served again on a later page, at its own instant or another, keeping the version written', () => {
    const sieve = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    sieve.accept([rec('a', '2026-11-27T10:50:00Z', { v: 1 }), rec('b', '2026-11-27T10:40:00Z'), rec('c', '2026-11-27T10:30:00Z')]);
    // The next page repeats the end of the previous one (its paging shifted), and Graph republished `a` earlier.
    sieve.accept([rec('b', '2026-11-27T10:40:00Z'), rec('c', '2026-11-27T10:30:00Z'), rec('a', '2026-11-27T10:20:00Z', { v: 2 }), rec('d', '2026-11-27T10:10:00Z')]);
    sieve.finish();
    const written = sieve.takeReady();
    expect(ids(written)).toEqual(['a', 'b', 'c', 'd']);
    expect(written[0]).toMatchObject({ v: 1 });
    expect(sieve.counts.duplicatesDropped).toBe(3);
  });

  it('refuses a record without a time rather than guessing', () => {
    const sieve = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    expect(() => sieve.accept([{ id: 'x' } as never])).toThrow(/activityDateTime/);
  });
});

describe('RecordSieve split groups', () => {
  const start = parseInstant('2026-11-27T10:00:00Z');
  const end = parseInstant('2026-11-27T11:00:00Z');
  it('splits a burst at one instant and resumes it without loss or repeats', () => {
    const t0 = '2026-11-27T10:30:00Z';
    const first = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    first.accept([rec('a', t0), rec('b', t0)]);
    first.splitOpenGroup();
    expect(ids(first.takeReady())).toEqual(['a', 'b']);
    // Later in the same pass, a repeat of a written id at that instant is dropped.
    first.accept([rec('a', t0, { v: 2 }), rec('c', t0)]);
    first.finish();
    expect(ids(first.takeReady())).toEqual(['c']);
    const pos = first.position();
    // A continuation from that position reads the whole instant again and writes only what is new.
    const next = new RecordSieve({ start, end, cursor: pos.cursor, idsAtCursor: new Set(pos.idsAtCursor) }, 'activityDateTime');
    next.accept([rec('a', t0), rec('b', t0), rec('c', t0), rec('d', t0), rec('e', '2026-11-27T10:10:00Z')]);
    next.finish();
    expect(ids(next.takeReady())).toEqual(['d', 'e']);
  });

  it('holds back the last record of a split burst so its republished version, read next, is the one written', () => {
    const t0 = '2026-11-27T10:30:00Z';
    const first = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    first.accept([rec('a', t0), rec('b', t0), rec('x', t0, { v: 1 })]);
    const held = first.splitOpenGroup({ holdLast: true });
    expect(ids(first.takeReady())).toEqual(['a', 'b']);
    expect(held).toEqual([rec('x', t0, { v: 1 })]);
    const pos = first.position();
    expect(pos.idsAtCursor).not.toContain(idHash('x'));
    // The continuation follows the link: the held record opens its group, the next page brings the new version.
    const next = new RecordSieve({ start, end, cursor: pos.cursor, idsAtCursor: new Set(pos.idsAtCursor), held }, 'activityDateTime');
    next.accept([rec('x', t0, { v: 2 }), rec('c', t0), rec('e', '2026-11-27T10:10:00Z')]);
    next.finish();
    expect(next.takeReady()).toEqual([rec('x', t0, { v: 2 }), rec('c', t0), rec('e', '2026-11-27T10:10:00Z')]);
    // A record too large to hold is written with the split.
    const big = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    big.accept([rec('a', t0), rec('y', t0, { blob: 'z'.repeat(100) })]);
    expect(big.splitOpenGroup({ holdLast: true, maxHeldBytes: 50 })).toEqual([]);
    expect(ids(big.takeReady())).toEqual(['a', 'y']);
  });

  it('leaves a small open group to the continuation only once an older instant than its cursor is complete', () => {
    const t1 = '2026-11-27T10:40:00Z';
    const t0 = '2026-11-27T10:30:00Z';
    const fresh = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    fresh.accept([rec('a', t0)]);
    expect(fresh.canLeaveOpenGroup(10)).toBe(false); // nothing complete: the continuation would start over
    fresh.accept([rec('b', '2026-11-27T10:20:00Z')]);
    expect(fresh.canLeaveOpenGroup(10)).toBe(true);
    expect(fresh.canLeaveOpenGroup(0)).toBe(false); // too large to read again: split
    const resumed = new RecordSieve({ start, end, cursor: parseInstant(t1), idsAtCursor: new Set(['x']) }, 'activityDateTime');
    resumed.accept([rec('y', t1), rec('a', t0)]);
    expect(resumed.canLeaveOpenGroup(10)).toBe(false); // only the cursor instant grew: the group is written split
    resumed.accept([rec('b', '2026-11-27T10:20:00Z')]);
    expect(resumed.canLeaveOpenGroup(10)).toBe(true);
    // A complete group too large to read again, or an open group that continues a split one: not left.
    const big = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    big.accept([rec('p', t1), rec('q', t1), rec('r', t1), rec('a', t0)]);
    expect(big.canLeaveOpenGroup(2)).toBe(false);
    expect(big.canLeaveOpenGroup(3)).toBe(true);
    const split = new RecordSieve({ start, end, idsAtCursor: new Set() }, 'activityDateTime');
    split.accept([rec('n', t1), rec('a', t0)]);
    split.splitOpenGroup();
    split.accept([rec('b', t0)]);
    expect(split.openGroupContinuesCursor()).toBe(true);
    expect(split.canLeaveOpenGroup(10)).toBe(false);
  });
});
