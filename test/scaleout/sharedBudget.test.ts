/**
 * The Graph request budget holds across processes: four instance processes, each running the registered queue
 * worker with the product's shared budget, export one simulated tenant's windows from the real job queue, and the
 * simulator counts every request that arrives within each sliding window of Graph's limit. No timing is asserted:
 * the budget is given twice Graph's window so that a loaded machine's scheduling delays (a request sent late
 * arriving close behind the next) cannot decide the result, while four per-process budgets would send 8 requests in
 * the first instant. The benchmark (`npm run bench -- --only scale`) measures the product's own window.
 */
import { startAzurite, type AzuriteInstance } from '../../dev/azurite';
import { runScaleOut } from '../../dev/instances';

let azurite: AzuriteInstance;

beforeAll(async () => {
  // Its own Azurite: the instances work the app's `export-jobs` queue, which no other test may share.
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

describe('one Graph budget for every instance', () => {
  it('four processes never put more than 5 requests into one of Graph’s windows, and export every record once', async () => {
    const run = await runScaleOut({
      connectionString: azurite.connectionString,
      processes: 4,
      budget: 'shared',
      windows: 8,
      recordsPerWindow: 1500,
      timeScale: 5,
      budgetWindowFactor: 2,
    });
    expect(run.jobs).toEqual({ succeeded: 8 });
    expect(run.records).toBe(run.expectedRecords);
    expect(run.requests).toBeGreaterThanOrEqual(16);
    expect(run.peakRequestsPerWindow).toBeLessThanOrEqual(5);
    expect(run.throttled429).toBe(0);
    // Every request was granted by a shared budget, and the grants were spread over more than one process.
    const granted = run.reports.map((report) => report.budgetStats.granted);
    expect(granted.reduce((sum, n) => sum + n, 0)).toBe(run.requests);
    expect(granted.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(run.reports.every((report) => report.budget === 'shared')).toBe(true);
  }, 300_000);
});
