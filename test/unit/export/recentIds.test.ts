import { randomUUID } from 'node:crypto';
import { RecentIds } from '../../../src/export/recentIds';
import { seededRandom } from '../../chaos/chaosRun';

/** What RecentIds replaces: a Set in insertion order, the oldest deleted once it holds more than `capacity`. */
class SetModel {
  readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
}

describe('RecentIds', () => {
  it.each([1, 2, 7, 64, 1000])('answers as a bounded insertion-ordered Set would (capacity %i, ids re-added, forgotten, probe runs wrapping)', (capacity) => {
    const random = seededRandom(`recent-${capacity}`);
    const recent = new RecentIds(capacity);
    const model = new SetModel(capacity);
    const pool = Array.from({ length: capacity * 3 + 5 }, (_, i) => `id-${i}`);
    const differences: string[] = [];
    for (let step = 0; step < 20_000; step++) {
      const id = pool[Math.floor(random() * pool.length)];
      if (random() < 0.5) {
        recent.add(id);
        model.add(id);
      } else if (recent.has(id) !== model.ids.has(id)) differences.push(`step ${step}: has(${id})`);
      if (recent.size !== model.ids.size) differences.push(`step ${step}: size ${recent.size} vs ${model.ids.size}`);
    }
    for (const id of pool) if (recent.has(id) !== model.ids.has(id)) differences.push(`end: has(${id})`);
    expect(differences).toEqual([]);
  });

  it('remembers exactly the last 30,000 of 75,000 distinct ids (GUIDs, like sign-in ids)', () => {
    const recent = new RecentIds(30_000);
    const ids = Array.from({ length: 75_000 }, () => randomUUID());
    for (const id of ids) recent.add(id);
    expect(recent.size).toBe(30_000);
    expect(ids.slice(0, 45_000).filter((id) => recent.has(id))).toEqual([]);
    expect(ids.slice(45_000).every((id) => recent.has(id))).toBe(true);
  });

  it('tells apart ids that differ in one character, in length or only in case', () => {
    const recent = new RecentIds(10);
    recent.add('Directory_ABC_1');
    for (const other of ['Directory_ABC_2', 'Directory_ABC_1 ', 'directory_ABC_1', 'Directory_ABC_', '']) expect(recent.has(other)).toBe(false);
    expect(recent.has('Directory_ABC_1')).toBe(true);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentIds(0)).toThrow(/positive integer/);
    expect(() => new RecentIds(1.5)).toThrow(/positive integer/);
  });
});
