/**
 * Pipe fill: beta sign-in windows exported through the real worker against a simulator that throttles (5 requests
 * per 10 s) and answers with realistic page latency, both compressed by `timeScale`, with the client's rate limiter
 * compressed the same way. Graph's ceiling is then 500 records/s × timeScale. The product runs `concurrency` jobs
 * at once (host.json batchSize); the baseline runs the same windows one job at a time.
 */
import type { AzuriteInstance } from '../../dev/azurite';
import { startRemoteSimulator, type RemoteSimulator } from '../../dev/graph-simulator/childProcess';
import { warmUpSimulator } from '../../dev/graph-simulator/warmUp';
import { BENCH_NOW_ISO, BENCH_STREAM, drainConcurrently, startBenchEnv } from '../environment';
import { MemoryPeaks, MemorySampler } from '../memorySampler';

export interface PipeFillOptions {
  timeScale: number;
  windows: number;
  recordsPerWindow: number;
  concurrency: number;
  /**
   * Experiment only: the client's limiter window as a multiple of Graph's (1 = the product's setting). A factor
   * above 1 leaves a margin for requests that reach Graph later than their grant.
   */
  limiterWindowFactor?: number;
}

export interface PipeFillRun {
  concurrency: number;
  records: number;
  requests: number;
  throttled429: number;
  seconds: number;
  recordsPerSecond: number;
  /** Graph's ceiling at this time scale: 500 records/s × timeScale. */
  ceiling: number;
  fill: number;
  /** Admitted requests per second / Graph's request limit: how full the request budget was kept. */
  requestFill: number;
  memory: MemoryPeaks;
  /** The longest the simulator's event loop was held up during the run, ms (its process's own measure). */
  simulatorStallMs?: number;
}

/** Graph: 5 requests per 10 s per app per tenant, 1,000 records per page. */
const GRAPH_REQUESTS = 5;
const GRAPH_WINDOW_SECONDS = 10;
const GRAPH_PAGE_RECORDS = 1000;

export async function runPipeFill(azurite: AzuriteInstance, options: PipeFillOptions): Promise<PipeFillRun> {
  // The simulator runs in a process of its own: it generates each 1,000-record page synchronously, which in this
  // process would hold up the exporter's requests (and count requests later than they arrived).
  const sim = await startRemoteSimulator([
    '--seed', 'bench', '--now', BENCH_NOW_ISO, '--time-scale', String(options.timeScale), '--latency', 'realistic',
    '--throttle', `${GRAPH_REQUESTS}/${GRAPH_WINDOW_SECONDS}`, '--volume', `${BENCH_STREAM}=${options.recordsPerWindow}`,
  ]);
  try {
    return await measure(azurite, options, sim);
  } finally {
    await sim.close();
  }
}

async function measure(azurite: AzuriteInstance, options: PipeFillOptions, sim: RemoteSimulator): Promise<PipeFillRun> {
  const env = await startBenchEnv({
    azurite,
    recordsPerWindow: options.recordsPerWindow,
    windows: options.windows,
    simulatorUrl: sim.url,
    env: {
      GRAPH_RATE_LIMIT_REQUESTS: String(GRAPH_REQUESTS),
      GRAPH_RATE_LIMIT_WINDOW_SECONDS: String(((options.limiterWindowFactor ?? 1) * GRAPH_WINDOW_SECONDS) / options.timeScale),
    },
  });
  try {
    await warmUpSimulator(sim.url, { stream: BENCH_STREAM, fromMs: Date.parse(BENCH_NOW_ISO) - 2 * 86_400_000, toMs: Date.parse(BENCH_NOW_ISO) });
    await sim.resetStats();
    const sampler = new MemorySampler();
    sampler.start();
    const started = performance.now();
    const drained = await drainConcurrently(env, env.messages, options.concurrency);
    const seconds = (performance.now() - started) / 1000;
    const memory = sampler.stop();
    const stats = await sim.stats();
    const ceiling = ((GRAPH_REQUESTS * GRAPH_PAGE_RECORDS) / GRAPH_WINDOW_SECONDS) * options.timeScale;
    const recordsPerSecond = drained.records / seconds;
    return {
      concurrency: options.concurrency,
      records: drained.records,
      requests: stats.requests,
      throttled429: stats.throttled,
      seconds,
      recordsPerSecond,
      ceiling,
      fill: recordsPerSecond / ceiling,
      requestFill: (stats.requests - stats.throttled) / seconds / ((GRAPH_REQUESTS / GRAPH_WINDOW_SECONDS) * options.timeScale),
      simulatorStallMs: stats.eventLoopHeldMs,
      memory,
    };
  } finally {
    await env.close();
  }
}
