import { GraphBudgetError, SharedRequestBudget, TokenBucketRateLimiter } from '../../../../src/graph/budget';
import { MemoryLedger, peakPerWindow, VirtualTime } from './virtualTime';

const WINDOW = 10_500;

function instance(ledger: MemoryLedger, time: VirtualTime, onError?: (error: Error) => void): SharedRequestBudget {
  return new SharedRequestBudget({ ledger, requests: 5, windowMs: WINDOW, now: time.now, sleep: time.sleep, random: () => 0.5, onError });
}

/** Starts `count` acquires on `budget`, recording when each is granted. */
function acquireMany(budget: { acquire(signal?: AbortSignal): Promise<void> }, time: VirtualTime, count: number, grants: number[], signal?: AbortSignal): Promise<unknown> {
  return Promise.allSettled(Array.from({ length: count }, () => budget.acquire(signal).then(() => grants.push(time.nowMs))));
}

describe('SharedRequestBudget', () => {
  it('instances sharing one ledger never grant more than 5 requests in any window, and keep the pipe full', async () => {
    const time = new VirtualTime();
    const start = time.nowMs;
    const ledger = new MemoryLedger();
    const instances = [instance(ledger, time), instance(ledger, time), instance(ledger, time)];
    const grants: number[] = [];
    const done = Promise.all(instances.map((budget) => acquireMany(budget, time, 10, grants)));
    await time.runUntilIdle();
    await done;
    expect(grants).toHaveLength(30);
    expect(peakPerWindow(grants, WINDOW)).toBe(5);
    // 30 grants at 5 per window: bursts at 0, 1, ... 5 windows; none later (no slot left unused).
    expect(Math.max(...grants) - start).toBe(5 * WINDOW);
    const stats = instances.map((budget) => budget.stats);
    expect(stats.reduce((sum, s) => sum + s.granted, 0)).toBe(30);
    // Every write is a grant or a lost race; nothing else is written.
    for (const s of stats) expect(s.writes).toBe(s.granted + s.conflicts);
  });

  it('per-process limiters on the same three instances (the old design) grant three times the budget', async () => {
    const time = new VirtualTime();
    const grants: number[] = [];
    const limiters = [0, 1, 2].map(() => new TokenBucketRateLimiter({ requests: 5, windowMs: WINDOW, now: time.now, sleep: time.sleep }));
    const done = Promise.all(limiters.map((limiter) => acquireMany(limiter, time, 10, grants)));
    await time.runUntilIdle();
    await done;
    expect(peakPerWindow(grants, WINDOW)).toBe(15);
  });

  it("a Retry-After seen by one instance pauses the others, even grants they already hold", async () => {
    const time = new VirtualTime();
    const start = time.nowMs;
    const ledger = new MemoryLedger();
    const [a, b] = [instance(ledger, time), instance(ledger, time)];
    const bGrants: number[] = [];
    const bDone = acquireMany(b, time, 10, bGrants);
    await time.settle();
    // B sent 5 and holds 5 reservations for the next window when A is told to wait 30 s.
    expect(bGrants).toHaveLength(5);
    a.pauseFor(30_000);
    const aGrants: number[] = [];
    const aDone = acquireMany(a, time, 1, aGrants);
    await time.runUntilIdle();
    await Promise.all([aDone, bDone]);
    expect(bGrants).toHaveLength(10);
    expect(Math.min(...bGrants.slice(5), ...aGrants)).toBeGreaterThanOrEqual(start + 30_000);
    expect(b.stats.rereserved).toBe(5);
    expect(peakPerWindow([...bGrants, ...aGrants], WINDOW)).toBe(5);
  });

  it('an instance that dies holding grants leaves only those slots unused: no lock, nothing to clean up', async () => {
    const time = new VirtualTime();
    const start = time.nowMs;
    const ledger = new MemoryLedger();
    const dead = instance(ledger, time);
    const alive = instance(ledger, time);
    const killed = new AbortController();
    const deadGrants: number[] = [];
    const deadDone = acquireMany(dead, time, 10, deadGrants, killed.signal);
    await time.settle();
    killed.abort();
    await deadDone;
    // It sent 5 and died holding 5 reservations for the next window.
    expect(deadGrants).toHaveLength(5);
    const grants: number[] = [];
    const done = acquireMany(alive, time, 10, grants);
    await time.runUntilIdle();
    await done;
    // The 5 slots held by the dead instance go unused once; then the survivor has the whole budget.
    expect(grants.slice(0, 5)).toEqual(Array(5).fill(start + 2 * WINDOW));
    expect(grants.slice(5)).toEqual(Array(5).fill(start + 3 * WINDOW));
  });

  it('one instance alone writes once per grant, and reads only to check for a pause before a queued request', async () => {
    const time = new VirtualTime();
    const ledger = new MemoryLedger();
    const budget = instance(ledger, time);
    const grants: number[] = [];
    const done = acquireMany(budget, time, 20, grants);
    await time.runUntilIdle();
    await done;
    expect(budget.stats).toMatchObject({ granted: 20, writes: 20, conflicts: 0, rereserved: 0 });
    // Two reads to learn that nobody else writes the row, then one per burst of queued requests coming due
    // (3 windows): the first of a burst reads the row, the others send on that fresh view.
    expect(budget.stats.reads).toBe(5);
  });

  it('a caller woken later than half the arrival margin after its grant reserves again instead of sending late', async () => {
    const time = new VirtualTime();
    const start = time.nowMs;
    const ledger = new MemoryLedger();
    let oversleepMs = 0;
    // A starved event loop: the 6th request's timers fire 600 ms late (the tolerance is 250 ms for a 10.5 s window).
    const budget: SharedRequestBudget = new SharedRequestBudget({
      ledger, requests: 5, windowMs: WINDOW, now: time.now, random: () => 0.5,
      sleep: (ms, signal) => time.sleep(ms + (budget.stats.late === 0 ? oversleepMs : 0), signal),
    });
    const grants: number[] = [];
    await acquireMany(budget, time, 5, grants);
    oversleepMs = 600;
    const late = acquireMany(budget, time, 1, grants);
    await time.runUntilIdle();
    await late;
    expect(budget.stats).toMatchObject({ granted: 6, late: 1 });
    // Its first slot (start + WINDOW) went unused; the request left on time for the slot it reserved next.
    expect(grants[5]).toBeGreaterThan(start + WINDOW + 250);
    expect(budget.stats.maxLateMs).toBeLessThanOrEqual(250);
    expect(peakPerWindow(grants, WINDOW)).toBeLessThanOrEqual(5);
  });

  it('a ledger it cannot reach fails the request with an error that names the table and the role', async () => {
    const time = new VirtualTime();
    const ledger = new MemoryLedger();
    ledger.failWith = Object.assign(new Error('This request is not authorized to perform this operation.'), { statusCode: 403 });
    const budget = instance(ledger, time);
    await expect(budget.acquire()).rejects.toThrow(GraphBudgetError);
    await expect(budget.acquire()).rejects.toThrow(/memory ledger.*not authorized.*Storage Table Data Contributor/);
  });

  it('a table call that fails twice is tried again and the request still goes; a third failure gives up', async () => {
    const time = new VirtualTime();
    const ledger = new MemoryLedger();
    const budget = instance(ledger, time);
    ledger.failWith = Object.assign(new Error('Server encountered an internal error.'), { statusCode: 500 });
    ledger.failTimes = 2;
    const grants: number[] = [];
    const done = acquireMany(budget, time, 1, grants);
    await time.runUntilIdle();
    await done;
    expect(grants).toHaveLength(1);
    expect(budget.stats.tableRetries).toBe(2);

    ledger.failWith = new Error('storage down');
    ledger.failTimes = 3;
    const failing = budget.acquire();
    const rejected = expect(failing).rejects.toThrow(/Could not (read|write) the shared Graph request budget.*storage down/);
    await time.runUntilIdle();
    await rejected;
    expect(budget.stats.tableRetries).toBe(4);
  });

  it('a pause it cannot write is reported and still honoured by this process', async () => {
    const time = new VirtualTime();
    const start = time.nowMs;
    const ledger = new MemoryLedger();
    const errors: Error[] = [];
    const budget = instance(ledger, time, (error) => errors.push(error));
    ledger.failWith = new Error('storage down');
    budget.pauseFor(20_000);
    await time.runUntilIdle();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/storage down/)]);
    ledger.failWith = undefined;
    const grants: number[] = [];
    const done = acquireMany(budget, time, 1, grants);
    await time.runUntilIdle();
    await done;
    expect(grants).toEqual([start + 20_000]);
  });

  it('an aborted wait rejects and the next caller is served', async () => {
    const time = new VirtualTime();
    const budget = instance(new MemoryLedger(), time);
    const first: number[] = [];
    await Promise.all([acquireMany(budget, time, 5, first), time.runUntilIdle()]);
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    await time.settle();
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
  });
});
