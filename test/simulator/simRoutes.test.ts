import type { SimulatorHandle } from '../../dev/graph-simulator';
import { settingsFromArgs } from '../../dev/graph-simulator/cli';
import { ensureLocalCertificate } from '../../dev/certificates';
import { readFileSync } from 'node:fs';
import { get, iso, NOW, startTestSimulator } from './graphClient';

describe('/_sim routes', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startTestSimulator({ volume: { audit: 600 } });
  });
  afterAll(() => sim.close());

  test('groundTruth over HTTP equals the handle, with ISO or epoch-ms bounds', async () => {
    const start = NOW - 3_600_000;
    const end = NOW - 1_800_000;
    const expected = sim.groundTruthIds({ stream: 'audit', start: iso(start), end: iso(end) });
    const byIso = (await (await fetch(`${sim.url}/_sim/groundTruth?stream=audit&start=${iso(start)}&end=${iso(end)}`)).json()) as { count: number; ids: string[]; stream: string };
    expect(byIso).toMatchObject({ stream: 'audit', count: expected.length, ids: expected });
    const byMs = (await (await fetch(`${sim.url}/_sim/groundTruth?stream=audit&start=${start}&end=${end}&asOf=${NOW}`)).json()) as { ids: string[] };
    expect(byMs.ids).toEqual(expected);
    expect((await fetch(`${sim.url}/_sim/groundTruth?stream=nope&start=1&end=2`)).status).toBe(400);
  });

  test('records: the last visible version of each ground-truth record, one JSON object a line', async () => {
    const start = iso(NOW - 3_600_000);
    const end = iso(NOW - 1_800_000);
    const expected = [...sim.expectedRecords({ stream: 'audit', start, end })];
    const answer = await fetch(`${sim.url}/_sim/records?stream=audit&start=${start}&end=${end}`);
    expect(answer.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await answer.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(expected);
    expect(expected.map((r) => r.id)).toEqual(sim.groundTruthIds({ stream: 'audit', start, end }));
    expect((await fetch(`${sim.url}/_sim/records?stream=audit&start=2026-02-30T00:00:00Z&end=${end}`)).status).toBe(400);
    expect((await fetch(`${sim.url}/_sim/records?stream=audit&start=${start}`)).status).toBe(400);
  });

  test('stats count requests per endpoint and app and records served; reset-stats clears them', async () => {
    await get(`${sim.url}/v1.0/auditLogs/directoryAudits?$top=3`);
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { requests: number; recordsServed: number; requestsByEndpoint: Record<string, number> };
    expect(stats.requests).toBeGreaterThanOrEqual(1);
    expect(stats.requestsByEndpoint['v1.0/directoryAudits']).toBeGreaterThanOrEqual(1);
    expect(stats.recordsServed).toBeGreaterThanOrEqual(3);
    expect((await fetch(`${sim.url}/_sim/reset-stats`, { method: 'POST' })).status).toBe(200);
    expect(sim.stats()).toMatchObject({ requests: 0, recordsServed: 0, throttled: 0 });
  });
});

describe('CLI options', () => {
  test('every flag maps onto SimulatorOptions', () => {
    const settings = settingsFromArgs([
      '--port', '0', '--seed', 's', '--time-scale', '10', '--licence', 'free', '--retention-days', '3', '--volume', 'audit=100',
      '--throttle', '7/5', '--latency', 'none', '--fault', 'serverError500=0.1', '--fault-seed', 'f', '--late-share', '0.2',
      '--fixture', 'audit:replace:/tmp/x.json', '--static-token', 'tok=app', '--skip-token-ttl', '60', '--missing-permission', '--tls',
    ]);
    expect(settings).toMatchObject({ tls: 'local' });
    expect(settings !== 'help' && settings.options).toMatchObject({
      port: 0, seed: 's', timeScale: 10, tenant: { licence: 'free', retentionDays: 3, missingPermission: true }, volume: { audit: 100 },
      throttle: { requests: 7, windowSeconds: 5 }, latency: 'none', faults: { serverError500: 0.1, seed: 'f' }, publication: { lateShare: 0.2 },
      fixtures: [{ stream: 'audit', mode: 'replace', file: '/tmp/x.json' }], staticTokens: { tok: 'app' }, skipTokenTtlSeconds: 60,
    });
    expect(settingsFromArgs(['--throttle', 'off'])).toMatchObject({ options: { throttle: false, port: 8790 } });
    expect(settingsFromArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toMatchObject({ tls: { certPath: 'c.pem', keyPath: 'k.pem' } });
    expect(settingsFromArgs(['--help'])).toBe('help');
    expect(() => settingsFromArgs(['--volume', 'nope=1'])).toThrow(/Unknown stream/);
  });
});

describe('HTTPS', () => {
  test('with tls the simulator serves https (what Azure SDK bearer-token policies require)', async () => {
    const { certPath, keyPath } = await ensureLocalCertificate();
    const sim = await startTestSimulator({ volume: { audit: 600 }, tls: { cert: readFileSync(certPath), key: readFileSync(keyPath) } });
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const page = await get(`${sim.url}/v1.0/auditLogs/directoryAudits?$top=2`);
      expect(page.status).toBe(200);
      expect(page.body['@odata.nextLink']).toMatch(/^https:\/\//);
    } finally {
      await sim.close();
    }
  });
});
