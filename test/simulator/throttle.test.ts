import { makeSimulatorToken, type SimulatorHandle } from '../../dev/graph-simulator';
import { ArrivalCounter } from '../../dev/graph-simulator/arrivals';
import { SlidingWindowThrottle } from '../../dev/graph-simulator/throttle';
import { get, startTestSimulator } from './graphClient';

describe('throttle arithmetic (sliding window, injected clock)', () => {
  test('the sixth request within 10 s is refused until the oldest admitted request leaves the window', () => {
    let now = 0;
    const throttle = new SlidingWindowThrottle({ requests: 5, windowSeconds: 10 }, 1, () => now);
    for (const t of [0, 1000, 2000, 3000, 4000]) {
      now = t;
      expect(throttle.check('app').admitted).toBe(true);
    }
    now = 7872;
    expect(throttle.check('app')).toEqual({ admitted: false, retryAfterSeconds: 2.128 });
    expect(throttle.check('other-app').admitted).toBe(true);
    now = 10_000;
    expect(throttle.check('app').admitted).toBe(true);
    expect(throttle.check('app')).toEqual({ admitted: false, retryAfterSeconds: 1 });
  });

  test('timeScale divides the window', () => {
    let now = 0;
    const throttle = new SlidingWindowThrottle({ requests: 1, windowSeconds: 10 }, 100, () => now);
    throttle.check('app');
    now = 20;
    expect(throttle.check('app')).toEqual({ admitted: false, retryAfterSeconds: 0.08 });
  });
});

describe('arrivals per window (what the callers sent, admitted or not)', () => {
  test('counts every arrival in the sliding window per key and keeps the peak', () => {
    let now = 0;
    const arrivals = new ArrivalCounter({ requests: 5, windowSeconds: 10 }, 1, () => now);
    for (const t of [0, 1000, 2000, 9000, 9999, 10_000, 10_500]) {
      now = t;
      arrivals.record('app');
    }
    // 1000 … 10_500 are within 10 s of one another: six arrivals, one more than the limit.
    expect(arrivals.peak).toBe(6);
    expect(arrivals.record('other-app')).toBe(1);
    arrivals.reset();
    expect(arrivals.peak).toBe(0);
  });

  test('without a throttle there is no window to count in', () => {
    const arrivals = new ArrivalCounter(false, 1, () => 0);
    expect(arrivals.record('app')).toBe(0);
  });
});

describe('throttling over HTTP', () => {
  let sim: SimulatorHandle;
  // timeScale 2: the 10 s window lasts 5 s of real time, so the test waits Retry-After for real. A shorter window
  // is a timing assumption: on a loaded machine six requests can take longer than it, and the sixth gets in.
  beforeAll(async () => {
    sim = await startTestSimulator({ throttle: { requests: 5, windowSeconds: 10 }, timeScale: 2, volume: { audit: 60, interactiveSignIns: 60, provisioning: 60 } });
  });
  afterAll(() => sim.close());

  test('5 requests per window per app shared by all endpoints; the sixth gets 429 with a fractional Retry-After; another app is unaffected', async () => {
    const paths = ['/v1.0/auditLogs/directoryAudits', '/beta/auditLogs/signIns', '/v1.0/auditLogs/provisioning', '/v1.0/auditLogs/directoryAudits', '/beta/auditLogs/signIns'];
    for (const path of paths) expect((await get(`${sim.url}${path}?$top=1`)).status).toBe(200);
    const throttled = await get(`${sim.url}/v1.0/auditLogs/provisioning?$top=1`);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toMatchObject({ code: 'TooManyRequests', message: 'Please retry again later.', innerError: { code: '429', message: 'Please retry after' } });
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+\.\d+$/);
    expect(sim.stats().peakRequestsPerWindow).toBeGreaterThanOrEqual(6);
    expect((await get(`${sim.url}/v1.0/auditLogs/directoryAudits?$top=1`, makeSimulatorToken('another-app'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 5));
    expect((await get(`${sim.url}/v1.0/auditLogs/directoryAudits?$top=1`)).status).toBe(200);
    expect(sim.stats().throttled).toBe(1);
  });
});
