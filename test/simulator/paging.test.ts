import { STREAM_IDS, STREAMS, type StreamId } from '../../src/streams/catalog';
import { parseInstant } from '../../src/time/instant';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import { getAll, iso, listUrl, NOW, startTestSimulator, TOKEN } from './graphClient';

const START = NOW - 3 * 3_600_000;
const END = NOW - 2 * 3_600_000;

function requestFor(stream: StreamId, start: string, endInclusive: string): { path: string; filter: string } {
  const def = STREAMS[stream];
  const [lo, hi] = def.timeOperators === 'ge-le' ? ['ge', 'le'] : ['gt', 'lt'];
  const time = `${def.timeProperty} ${lo} ${start} and ${def.timeProperty} ${hi} ${endInclusive}`;
  const filter = def.signInEventType ? `signInEventTypes/any(t: t eq '${def.signInEventType}') and ${time}` : time;
  return { path: `/${def.graphVersion}${def.graphPath}`, filter };
}

describe('paging through the simulator', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startTestSimulator({
      volume: { audit: 3000, interactiveSignIns: 2000, nonInteractiveSignIns: 6000, servicePrincipalSignIns: 900, managedIdentitySignIns: 700, provisioning: 800 },
      publication: { republishShare: 0.05, splitShare: 0.05, lateShare: 0.05 },
    });
  });
  afterAll(() => sim.close());

  test.each(STREAM_IDS.map((s) => [s]))('the union of all pages equals ground truth without duplicate ids: %s', async (stream) => {
    // gt/lt on provisioning are exclusive, so the window is widened by one tick on each side.
    const exclusive = STREAMS[stream].timeOperators === 'gt-lt';
    const lo = exclusive ? '2026-11-27T08:59:59.9999999Z' : iso(START);
    const hi = exclusive ? iso(END) : '2026-11-27T09:59:59.9999999Z';
    const { path, filter } = requestFor(stream, lo, hi);
    const { records, pages } = await getAll(listUrl(sim.url, path, { $top: '500', $filter: filter }));
    const truth = sim.groundTruthIds({ stream, start: iso(START), end: iso(END) });
    const served = new Set(records.map((r) => String(r.id)));
    expect(pages).toBeGreaterThan(1);
    expect(truth.length).toBeGreaterThan(0);
    expect(new Set(truth).size).toBe(truth.length);
    expect([...served].sort()).toEqual([...truth].sort());
    const timeProperty = STREAMS[stream].timeProperty;
    for (const record of records) {
      const t = parseInstant(String(record[timeProperty]));
      expect(t >= parseInstant(iso(START)) && t < parseInstant(iso(END))).toBe(true);
    }
  });

  test("the issue's example: beta non-interactive sign-ins with $top=1000 over a time range, newest first", async () => {
    const filter = `signInEventTypes/any(t: t eq 'nonInteractiveUser') and createdDateTime ge ${iso(START)} and createdDateTime le ${iso(END - 1)}`;
    const { records, pages } = await getAll(listUrl(sim.url, '/beta/auditLogs/signIns', { $top: '1000', $filter: filter }));
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(records.every((r) => (r.signInEventTypes as string[])[0] === 'nonInteractiveUser')).toBe(true);
    const times = records.map((r) => parseInstant(String(r.createdDateTime)));
    for (let n = 1; n < times.length; n++) expect(times[n] <= times[n - 1]).toBe(true);
    const truth = sim.groundTruthIds({ stream: 'nonInteractiveSignIns', start: iso(START), end: iso(END) });
    expect(new Set(records.map((r) => r.id)).size).toBe(truth.length);
  });

  test('bursts sharing one timestamp cross page boundaries without loss or duplication', async () => {
    // Find a burst: many records with the same createdDateTime.
    const window = { start: iso(NOW - 6 * 3_600_000), end: iso(NOW - 3_600_000) };
    const counts = new Map<string, number>();
    for (const record of sim.expectedRecords({ stream: 'nonInteractiveSignIns', ...window })) {
      const t = String(record.createdDateTime);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const [burstTime, burstSize] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    expect(burstSize).toBeGreaterThanOrEqual(50);
    const filter = `signInEventTypes/any(t: t eq 'nonInteractiveUser') and createdDateTime ge ${burstTime} and createdDateTime le ${burstTime}`;
    const { records, pages } = await getAll(listUrl(sim.url, '/beta/auditLogs/signIns', { $top: '7', $filter: filter }));
    expect(pages).toBeGreaterThan(5);
    const ids = records.map((r) => r.id);
    expect(new Set(ids).size).toBe(burstSize);
    expect(records.every((r) => r.createdDateTime === burstTime)).toBe(true);
  });

  test('ascending order and page size 1 also cover everything', async () => {
    const start = iso(END - 10 * 60_000);
    const filter = `activityDateTime ge ${start} and activityDateTime le ${iso(END - 1)}`;
    const { records } = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '1', $filter: filter, $orderby: 'activityDateTime asc' }));
    const times = records.map((r) => parseInstant(String(r.activityDateTime)));
    for (let n = 1; n < times.length; n++) expect(times[n] >= times[n - 1]).toBe(true);
    expect(new Set(records.map((r) => r.id)).size).toBe(sim.groundTruthIds({ stream: 'audit', start, end: iso(END) }).length);
  });

  test('$top above 1000 is clamped to 1000 and pages carry an absolute nextLink with an opaque skiptoken', async () => {
    const filter = `activityDateTime ge ${iso(START)} and activityDateTime le ${iso(END)}`;
    const response = await fetch(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $top: '5000', $filter: filter }), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const body = (await response.json()) as { value: unknown[]; '@odata.nextLink': string; '@odata.context': string };
    expect(body.value).toHaveLength(1000);
    expect(body['@odata.context']).toMatch(/\$metadata#auditLogs\/directoryAudits$/);
    expect(body['@odata.nextLink']).toMatch(new RegExp(`^${sim.url}/v1\\.0/auditLogs/directoryAudits\\?\\$top=1000&\\$skiptoken=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  });
});
