import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import { getAll, iso, listUrl, NOW, startTestSimulator } from './graphClient';

const WINDOW_START = NOW - 2 * 3_600_000;
const WINDOW_END = NOW - 3_600_000;

function interactiveUrl(base: string, top = '100'): string {
  const filter = `signInEventTypes/any(t: t eq 'interactiveUser') and createdDateTime ge ${iso(WINDOW_START)} and createdDateTime le ${iso(WINDOW_END - 1)}`;
  return listUrl(base, '/beta/auditLogs/signIns', { $top: top, $filter: filter });
}

describe('late, republished and split publication', () => {
  let sim: SimulatorHandle;
  let clock = WINDOW_END + 60_000;
  beforeAll(async () => {
    sim = await startTestSimulator({
      now: () => clock,
      volume: { interactiveSignIns: 1200 },
      publication: { lateShare: 0.3, lateMaxMinutes: 90, republishShare: 0.2, splitShare: 0.2 },
    });
  });
  afterAll(() => sim.close());

  test('records appear only once visible; listings always equal ground truth as of now', async () => {
    clock = WINDOW_END + 60_000;
    const early = await getAll(interactiveUrl(sim.url));
    const earlyTruth = sim.groundTruthIds({ stream: 'interactiveSignIns', start: iso(WINDOW_START), end: iso(WINDOW_END) });
    expect(new Set(early.records.map((r) => r.id))).toEqual(new Set(earlyTruth));
    clock = WINDOW_END + 100 * 60_000;
    const late = await getAll(interactiveUrl(sim.url));
    const lateTruth = sim.groundTruthIds({ stream: 'interactiveSignIns', start: iso(WINDOW_START), end: iso(WINDOW_END) });
    expect(new Set(late.records.map((r) => r.id))).toEqual(new Set(lateTruth));
    expect(lateTruth.length).toBeGreaterThan(earlyTruth.length * 1.1);
    const asOfEarly = sim.groundTruthIds({ stream: 'interactiveSignIns', start: iso(WINDOW_START), end: iso(WINDOW_END), asOf: WINDOW_END + 60_000 });
    expect(asOfEarly.sort()).toEqual([...earlyTruth].sort());
  });

  test('a republished record appears twice, adjacent, original first; expectedRecords keeps the last version', async () => {
    clock = WINDOW_END + 100 * 60_000;
    const { records } = await getAll(interactiveUrl(sim.url, '37'));
    let pairs = 0;
    for (let n = 1; n < records.length; n++) {
      if (records[n].id !== records[n - 1].id) continue;
      pairs++;
      expect(records[n].createdDateTime).toBe(records[n - 1].createdDateTime);
      expect((records[n - 1].status as { additionalDetails: unknown }).additionalDetails).not.toBe('Risk re-evaluated after sign-in');
      expect((records[n].status as { additionalDetails: unknown }).additionalDetails).toBe('Risk re-evaluated after sign-in');
      expect(['medium', 'high']).toContain(records[n].riskLevelDuringSignIn);
    }
    expect(pairs).toBeGreaterThan(10);
    const ids = records.map((r) => r.id);
    expect(ids.length - new Set(ids).size).toBe(pairs);
    const expected = [...sim.expectedRecords({ stream: 'interactiveSignIns', start: iso(WINDOW_START), end: iso(WINDOW_END) })];
    const lastSeen = new Map(records.map((r) => [r.id, r]));
    expect(expected).toHaveLength(lastSeen.size);
    for (const record of expected) expect(lastSeen.get(record.id)).toEqual(record);
  });

  test('split sign-ins are two records with different ids sharing one correlationId, both in ground truth', async () => {
    clock = WINDOW_END + 100 * 60_000;
    const expected = [...sim.expectedRecords({ stream: 'interactiveSignIns', start: iso(WINDOW_START), end: iso(WINDOW_END) })];
    const byCorrelation = new Map<unknown, Set<unknown>>();
    for (const record of expected) {
      const ids = byCorrelation.get(record.correlationId) ?? new Set();
      ids.add(record.id);
      byCorrelation.set(record.correlationId, ids);
    }
    const splits = [...byCorrelation.values()].filter((ids) => ids.size === 2);
    expect(splits.length).toBeGreaterThan(10);
    const truth = new Set(sim.groundTruthIds({ stream: 'interactiveSignIns', start: iso(WINDOW_START), end: iso(WINDOW_END) }));
    for (const ids of splits) for (const id of ids) expect(truth.has(String(id))).toBe(true);
  });
});

describe('fixtures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-fixtures-'));
  const auditFile = join(dir, 'audit-page.json');
  const signInFile = join(dir, 'signins-download.json');
  const auditRecords = [
    { id: 'Directory_fixture_1', activityDateTime: '2026-11-27T10:15:41.6195833Z', category: 'UserManagement', activityDisplayName: 'Update user', initiatedBy: { user: { userPrincipalName: "o'brien@contoso.example" }, app: null } },
    { id: 'Directory_fixture_2', activityDateTime: '2026-11-27T10:15:41Z', category: 'GroupManagement', activityDisplayName: 'Add member to group', initiatedBy: { user: null, app: { displayName: 'Zoë, "the app"' } } },
  ];
  const signIn = { id: 'signin-fixture-1', createdDateTime: '2026-11-27T10:20:00.1234567Z', userPrincipalName: 'fixture@contoso.example', signInEventTypes: ['interactiveUser'] };
  writeFileSync(auditFile, JSON.stringify({ '@odata.context': 'x', value: auditRecords }));
  writeFileSync(signInFile, JSON.stringify([signIn]));

  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startTestSimulator({
      volume: { interactiveSignIns: 600 },
      fixtures: [
        { stream: 'audit', file: auditFile, mode: 'replace' },
        { stream: 'interactiveSignIns', file: signInFile, mode: 'mix' },
      ],
    });
  });
  afterAll(() => sim.close());

  test("replace: a stream serves exactly the fixture records, as written; '' escapes match them", async () => {
    const { records } = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `activityDateTime ge ${iso(NOW - 86_400_000)}` }));
    expect(records).toEqual([auditRecords[0], auditRecords[1]]);
    const quoted = await getAll(listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', { $filter: `initiatedBy/user/userPrincipalName eq 'o''brien@contoso.example' and activityDateTime ge ${iso(NOW - 86_400_000)}` }));
    expect(quoted.records.map((r) => r.id)).toEqual(['Directory_fixture_1']);
  });

  test('mix: fixture records join the generated ones and the ground truth', async () => {
    const start = iso(NOW - 2 * 3_600_000);
    const end = iso(NOW - 3_600_000);
    const truth = sim.groundTruthIds({ stream: 'interactiveSignIns', start, end });
    expect(truth).toContain('signin-fixture-1');
    expect(truth.length).toBeGreaterThan(100);
    const { records } = await getAll(listUrl(sim.url, '/beta/auditLogs/signIns', { $filter: `createdDateTime ge ${start} and createdDateTime le 2026-11-27T10:59:59.9999999Z` }));
    expect(records.find((r) => r.id === 'signin-fixture-1')).toEqual(signIn);
    expect(new Set(records.map((r) => r.id))).toEqual(new Set(truth));
  });
});
