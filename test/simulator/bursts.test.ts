import type { SimulatorHandle } from '../../dev/graph-simulator';
import { resolveBursts } from '../../dev/graph-simulator/options';
import { getAll, iso, listUrl, NOW, startTestSimulator } from './graphClient';

/** Two hours ending an hour before the simulator's clock: eight 15-minute boundaries inside. */
const START = NOW - 3 * 3_600_000;
const END = NOW - 3_600_000;

function countsByInstant(records: Array<Record<string, unknown>>, property: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r[property] as string, (counts.get(r[property] as string) ?? 0) + 1);
  return counts;
}

function auditUrl(base: string, start: number, end: number): string {
  return listUrl(base, '/v1.0/auditLogs/directoryAudits', { $top: '1000', $filter: `activityDateTime ge ${iso(start)} and activityDateTime le ${iso(end)}` });
}

describe('same-instant bursts', () => {
  let plain: SimulatorHandle;
  let edges: SimulatorHandle;
  beforeAll(async () => {
    const common = { volume: { audit: 300 }, publication: { lateShare: 0, republishShare: 0 } };
    plain = await startTestSimulator(common);
    edges = await startTestSimulator({ ...common, bursts: { edgeShare: 1, edgeMinutes: 15, edgeMinSize: 1200, edgeMaxSize: 1500 } });
  });
  afterAll(async () => {
    await plain.close();
    await edges.close();
  });

  test('edge bursts sit exactly on every boundary and on its last 100 ns, larger than a page, and leave the other records as they were', async () => {
    const { records } = await getAll(auditUrl(edges.url, START, END));
    const counts = countsByInstant(records, 'activityDateTime');
    for (let boundary = START; boundary <= END; boundary += 15 * 60_000) {
      const at = iso(boundary).replace('.000Z', 'Z');
      const before = iso(boundary - 1).replace(/\.999Z$/, '.9999999Z');
      if (boundary < END) expect(counts.get(at)).toBeGreaterThanOrEqual(1200);
      if (boundary > START) expect(counts.get(before)).toBeGreaterThanOrEqual(1200);
    }
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(1500 + 300);
    // Below 600 events an hour there are no ordinary bursts, so everything else is as without edge bursts.
    const others = records.filter((r) => (counts.get(r.activityDateTime as string) ?? 0) < 1200).map((r) => r.id);
    const { records: base } = await getAll(auditUrl(plain.url, START, END));
    expect(others).toEqual(base.map((r) => r.id));
    // The listing's upper bound is inclusive: the burst exactly at END is in it.
    const truth = edges.groundTruthIds({ stream: 'audit', start: iso(START), end: iso(END + 1) });
    expect(new Set(records.map((r) => r.id))).toEqual(new Set(truth));
  });

  test('a window [start, end) holds the burst at its start and the one at its last 100 ns, not the one at its end', () => {
    const windowStart = START + 15 * 60_000;
    const windowEnd = windowStart + 15 * 60_000;
    const inWindow = [...edges.expectedRecords({ stream: 'audit', start: iso(windowStart), end: iso(windowEnd) })];
    const counts = countsByInstant(inWindow, 'activityDateTime');
    expect(counts.get(iso(windowStart).replace('.000Z', 'Z'))).toBeGreaterThanOrEqual(1200);
    expect(counts.get(iso(windowEnd - 1).replace(/\.999Z$/, '.9999999Z'))).toBeGreaterThanOrEqual(1200);
    expect(counts.get(iso(windowEnd).replace('.000Z', 'Z'))).toBeUndefined();
  });

  test('ordinary burst share and size are settings; sizes are checked', () => {
    expect(resolveBursts(undefined)).toEqual({ share: 0.02, minSize: 50, maxSize: 300, edgeMinutes: 15, edgeShare: 0, edgeMinSize: 1000, edgeMaxSize: 3000 });
    expect(() => resolveBursts({ minSize: 10, maxSize: 5 })).toThrow(/min ≤ max/);
    expect(() => resolveBursts({ edgeShare: 2 })).toThrow(/\[0, 1\]/);
    expect(() => resolveBursts({ edgeMinutes: 0 })).toThrow(/edgeMinutes/);
  });

  test('a burst larger than a page and than several pages is served whole, across pages, each record once', async () => {
    const sim = await startTestSimulator({ volume: { nonInteractiveSignIns: 6000 }, bursts: { share: 0.2, minSize: 2500, maxSize: 2600 }, publication: { lateShare: 0, republishShare: 0, splitShare: 0 } });
    try {
      const filter = `signInEventTypes/any(t: t eq 'nonInteractiveUser') and createdDateTime ge ${iso(START)} and createdDateTime le ${iso(START + 30 * 60_000)}`;
      const { records, pages } = await getAll(listUrl(sim.url, '/beta/auditLogs/signIns', { $top: '1000', $filter: filter }));
      const largest = Math.max(...countsByInstant(records, 'createdDateTime').values());
      expect(largest).toBeGreaterThanOrEqual(2500);
      expect(pages).toBeGreaterThan(3);
      const ids = records.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await sim.close();
    }
  });
});
