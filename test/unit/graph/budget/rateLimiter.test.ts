import { processRateLimiter, TokenBucketRateLimiter } from '../../../../src/graph/budget';
import { loadConfig } from '../../../../src/config';
import { FakeClock } from '../scriptedGraphServer';

function limiter(clock: FakeClock, requests = 5, windowMs = 10_000): TokenBucketRateLimiter {
  return new TokenBucketRateLimiter({ requests, windowMs, now: clock.now, sleep: clock.sleep });
}

describe('TokenBucketRateLimiter', () => {
  it('grants 5 at once and makes the 6th wait until the first token returns', async () => {
    const clock = new FakeClock(0);
    const bucket = limiter(clock);
    const grantedAt: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => bucket.acquire().then(() => grantedAt.push(clock.nowMs))));
    expect(grantedAt).toEqual([0, 0, 0, 0, 0, 10_000]);
    expect(clock.sleeps).toEqual([10_000]);
    expect(bucket.stats).toEqual({ granted: 6, waitedMs: 10_000 });
  });

  it('never lets more than 5 requests into any 10 s window (tokens return one by one)', async () => {
    const clock = new FakeClock(0);
    const bucket = limiter(clock);
    for (let i = 0; i < 5; i += 1) {
      await bucket.acquire();
      clock.nowMs += 1_000;
    }
    // t = 5 s: all tokens in use; the first comes back at 10 s, the second at 11 s.
    const grantedAt: number[] = [];
    await Promise.all([bucket.acquire(), bucket.acquire()].map((p) => p.then(() => grantedAt.push(clock.nowMs))));
    expect(grantedAt).toEqual([10_000, 11_000]);
  });

  it('serves waiters in arrival order', async () => {
    const clock = new FakeClock(0);
    const bucket = limiter(clock, 1, 1_000);
    const order: string[] = [];
    await Promise.all(['a', 'b', 'c', 'd'].map((name) => bucket.acquire().then(() => order.push(name))));
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(clock.nowMs).toBe(3_000);
  });

  it('pauses every caller until pauseUntil, and an earlier pause never shortens a later one', async () => {
    const clock = new FakeClock(1_000);
    const bucket = limiter(clock);
    bucket.pauseUntil(4_000);
    bucket.pauseUntil(2_000);
    await Promise.all([bucket.acquire(), bucket.acquire()]);
    expect(clock.nowMs).toBe(4_000);
    expect(clock.sleeps).toEqual([3_000]);
    expect(bucket.delayUntilNextGrant()).toBe(0);
  });

  it('pauseFor counts from the limiter clock', async () => {
    const clock = new FakeClock(50_000);
    const bucket = limiter(clock);
    bucket.pauseFor(2_128);
    expect(bucket.delayUntilNextGrant()).toBe(2_128);
  });

  it('an aborted waiter gives up its place to the next one', async () => {
    const clock = new FakeClock(0);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bucket = new TokenBucketRateLimiter({
      requests: 1,
      windowMs: 1_000,
      now: clock.now,
      sleep: async (ms) => {
        await gate;
        clock.nowMs += ms;
      },
    });
    await bucket.acquire();
    const controller = new AbortController();
    const aborted = bucket.acquire(controller.signal);
    const next = bucket.acquire();
    controller.abort();
    await expect(aborted).rejects.toThrow();
    release();
    await next;
    expect(bucket.stats.granted).toBe(2);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const bucket = limiter(new FakeClock(0));
    await expect(bucket.acquire(AbortSignal.abort())).rejects.toThrow();
    expect(bucket.stats.granted).toBe(0);
  });

  it('processRateLimiter returns one limiter per process and configuration', () => {
    const graph = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }).graph;
    expect(processRateLimiter(graph)).toBe(processRateLimiter({ ...graph }));
    expect(processRateLimiter({ ...graph, rateLimitRequests: 7 })).not.toBe(processRateLimiter(graph));
  });
});

describe('processRateLimiter', () => {
  it('leaves a 5% margin so requests that leave late still arrive within Graph\'s limit', async () => {
    const { processRateLimiter, ARRIVAL_MARGIN } = await import('../../../../src/graph/budget');
    const { loadConfig } = await import('../../../../src/config');
    const config = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', GRAPH_RATE_LIMIT_REQUESTS: '3', GRAPH_RATE_LIMIT_WINDOW_SECONDS: '2' });
    const limiter = processRateLimiter(config.graph);
    expect(ARRIVAL_MARGIN).toBe(0.05);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    // The fourth grant waits for the first token: 2 s plus the 5% margin (100 ms).
    expect(limiter.delayUntilNextGrant()).toBeGreaterThan(2000);
  });
});
