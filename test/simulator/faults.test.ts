import type { SimulatorHandle } from '../../dev/graph-simulator';
import { FAULT_KINDS } from '../../dev/graph-simulator/options';
import { get, iso, listUrl, NOW, startTestSimulator, TOKEN } from './graphClient';

const auditUrl = (base: string) => listUrl(base, '/v1.0/auditLogs/directoryAudits', { $top: '20', $filter: `activityDateTime ge ${iso(NOW - 3_600_000)}` });
const noFaults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));

async function raw(url: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('fault injection', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startTestSimulator({ volume: { audit: 600 }, timeScale: 10 });
  });
  afterEach(() => sim.update({ faults: noFaults }));
  afterAll(() => sim.close());

  test('429 without Retry-After', async () => {
    sim.update({ faults: { throttleNoRetryAfter: 1 } });
    const page = await get(auditUrl(sim.url));
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBeNull();
    expect(page.body.error?.code).toBe('TooManyRequests');
  });

  test.each([
    ['serverError500', 500, 'UnknownError'],
    ['unavailable503', 503, 'ServiceUnavailable'],
    ['gatewayTimeout504', 504, 'GatewayTimeout'],
  ])('%s answers %i with a Graph error body', async (kind, status, code) => {
    sim.update({ faults: { [kind]: 1 } });
    const page = await get(auditUrl(sim.url));
    expect(page.status).toBe(status);
    expect(page.body.error?.code).toBe(code);
    expect(page.body.error?.innerError['request-id']).toBeTruthy();
    if (status === 503) expect(Number(page.headers.get('retry-after'))).toBeCloseTo(0.3);
  });

  test('connection reset destroys the socket', async () => {
    sim.update({ faults: { connectionReset: 1 } });
    await expect(fetch(auditUrl(sim.url), { headers: { authorization: `Bearer ${TOKEN}` } })).rejects.toThrow();
  });

  test('truncated body: 200 with headers and only part of the JSON', async () => {
    sim.update({ faults: { truncatedBody: 1 } });
    const response = await raw(auditUrl(sim.url));
    expect(response.status).toBe(200);
    expect(response.text.startsWith('{"@odata.context":')).toBe(true);
    expect(() => JSON.parse(response.text)).toThrow();
  });

  test('invalid skiptoken only on requests that carry one', async () => {
    sim.update({ faults: { invalidSkipToken: 1 } });
    const first = await get(auditUrl(sim.url));
    expect(first.status).toBe(200);
    const second = await get(String(first.body['@odata.nextLink']));
    expect(second.status).toBe(400);
    expect(second.body.error).toMatchObject({ code: 'BadRequest', message: 'Invalid Skip Token, skip token is null' });
  });

  test('an empty page still carries a nextLink to the same position', async () => {
    const normal = await get(auditUrl(sim.url));
    sim.update({ faults: { emptyPageWithNextLink: 1 } });
    const empty = await get(auditUrl(sim.url));
    expect(empty.status).toBe(200);
    expect(empty.body.value).toEqual([]);
    sim.update({ faults: noFaults });
    const resumed = await get(String(empty.body['@odata.nextLink']));
    expect(resumed.body.value).toEqual(normal.body.value);
  });

  test('faults are counted in stats', async () => {
    sim.resetStats();
    sim.update({ faults: { serverError500: 1 } });
    await get(auditUrl(sim.url));
    await get(auditUrl(sim.url));
    expect(sim.stats().faults.serverError500).toBe(2);
    expect(sim.stats().errorsByStatus['500']).toBe(2);
  });
});

describe('skiptoken expiry', () => {
  test('a token older than skipTokenTtlSeconds (scaled) is rejected with $skiptoken has expired', async () => {
    const sim = await startTestSimulator({ volume: { audit: 600 }, skipTokenTtlSeconds: 1, timeScale: 20 });
    try {
      const first = await get(auditUrl(sim.url));
      await new Promise((resolve) => setTimeout(resolve, 120));
      const expired = await get(String(first.body['@odata.nextLink']));
      expect(expired.status).toBe(400);
      expect(expired.body.error).toMatchObject({ code: 'BadRequest', message: '$skiptoken has expired' });
    } finally {
      await sim.close();
    }
  });
});

describe('determinism', () => {
  const faults = { serverError500: 0.1, unavailable503: 0.1, gatewayTimeout504: 0.1, throttleNoRetryAfter: 0.1, emptyPageWithNextLink: 0.1 };

  async function run(seed: string): Promise<{ statuses: number[]; firstPage: unknown }> {
    const sim = await startTestSimulator({ seed, volume: { audit: 600 }, faults });
    try {
      const statuses: number[] = [];
      let firstPage: unknown;
      for (let n = 0; n < 40; n++) {
        const page = await get(auditUrl(sim.url));
        statuses.push(page.status);
        if (page.status === 200 && (page.body.value ?? []).length > 0 && firstPage === undefined) firstPage = page.body.value;
      }
      return { statuses, firstPage };
    } finally {
      await sim.close();
    }
  }

  test('the same seed gives the same records and the same fault sequence; another seed differs', async () => {
    const a = await run('alpha');
    const b = await run('alpha');
    const c = await run('beta');
    expect(a.statuses).toEqual(b.statuses);
    expect(a.firstPage).toEqual(b.firstPage);
    expect(new Set(a.statuses).size).toBeGreaterThan(2);
    expect(c.statuses).not.toEqual(a.statuses);
    expect(c.firstPage).not.toEqual(a.firstPage);
  });
});
