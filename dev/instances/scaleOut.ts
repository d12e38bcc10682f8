/**
 * The scale-out run: K instance processes (launcher.ts) export the same stream from one simulated tenant, with
 * Graph's throttle on, sharing one Azurite: the deployment Flex Consumption makes of a back-fill. The windows are
 * planned here by the product's planner and put on the real job queue; the instances work the queue with the
 * registered queue function until it is empty. What the simulator saw (requests, 429s, the most requests in any
 * one throttle window) is the verdict on the request budget; the job rows say how many records were exported.
 */
import { randomBytes } from 'node:crypto';
import { buildRuntime } from '../../src/app/runtime';
import { loadConfig, streamSettingName, type GraphBudgetMode } from '../../src/config';
import { silentLogger } from '../../src/export/logger';
import { planExports } from '../../src/export/planner';
import { JOBS_QUEUE_NAME } from '../../src/functions/registry';
import { STREAM_IDS, type StreamId } from '../../src/streams/catalog';
import { startSimulator, type GroundTruthQuery, type SimulatorStats } from '../graph-simulator';
import { startRemoteSimulator } from '../graph-simulator/childProcess';
import { warmUpSimulator } from '../graph-simulator/warmUp';
import { encodeMessageText } from '../local-host/queueMessageCodec';
import { startInstances, type InstanceReport } from './launcher';

/** Graph: 5 requests per 10 s per app per tenant, 1,000 records per page. */
const GRAPH_REQUESTS = 5;
const GRAPH_WINDOW_SECONDS = 10;
const GRAPH_PAGE_RECORDS = 1000;

export interface ScaleOutOptions {
  /** Azurite (plain HTTP) shared by every instance; its job queue must not be used by anything else meanwhile. */
  connectionString: string;
  processes: number;
  budget: GraphBudgetMode;
  windows: number;
  /** Records per one-hour window (roughly: the simulator draws a count per minute). */
  recordsPerWindow: number;
  /** Divides the simulator's throttle window and latency, and the budget's window with them. */
  timeScale: number;
  /** The budget's window as a multiple of Graph's, arrival margin aside. Default 1 (the product's setting). */
  budgetWindowFactor?: number;
  latency?: 'realistic' | 'none';
  stream?: StreamId;
  /** A fixed "now" after the data, so every window is complete and visible. */
  nowIso?: string;
  drainTimeoutMs?: number;
  /**
   * Run the simulator in a process of its own (the benchmark), so that its synchronous page generation neither
   * holds up this process nor counts requests later than they arrived. Default: in this process.
   */
  separateSimulator?: boolean;
}

export interface ScaleOutRun {
  processes: number;
  budget: GraphBudgetMode;
  records: number;
  /** Records the simulator holds for the exported windows (its ground truth): `records` must equal it. */
  expectedRecords: number;
  jobs: Record<string, number>;
  /** Every request the simulator received, 429s included. */
  requests: number;
  throttled429: number;
  /** Most requests that arrived within one of Graph's windows (the limit is 5). */
  peakRequestsPerWindow: number;
  seconds: number;
  recordsPerSecond: number;
  ceiling: number;
  fill: number;
  requestFill: number;
  /**
   * The longest the simulator's event loop was held up during the run, ms: requests that reach it meanwhile are
   * counted when it gets to them, closer together than they arrived. The simulator's own measure (its stats), taken
   * in whichever process it runs.
   */
  simulatorStallMs?: number;
  /** The shared budget's reservations given up by callers woken too late to use them, all instances. */
  lateReservations: number;
  /** The latest any instance sent a request after its grant's time, ms. */
  maxSendLateMs: number;
  /** Table transactions of the shared budget (reads + writes, all instances) per request sent; 0 for per-process budgets. */
  storageTransactionsPerRequest: number;
  reports: InstanceReport[];
}

const unique = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutRun> {
  const stream = options.stream ?? 'nonInteractiveSignIns';
  const now = Date.parse(options.nowIso ?? '2026-11-27T12:00:00Z');
  const sim = await simulatorFor(options, stream, now);
  try {
    const streamSettings: Record<string, string> = {};
    for (const id of STREAM_IDS) streamSettings[streamSettingName(id, 'ENABLED')] = String(id === stream);
    const env: Record<string, string> = {
      AzureWebJobsStorage: options.connectionString,
      GRAPH_AUTH_MODE: 'simulator',
      GRAPH_BASE_URL: sim.url,
      GRAPH_BUDGET: options.budget,
      GRAPH_RATE_LIMIT_REQUESTS: String(GRAPH_REQUESTS),
      GRAPH_RATE_LIMIT_WINDOW_SECONDS: String(((options.budgetWindowFactor ?? 1) * GRAPH_WINDOW_SECONDS) / options.timeScale),
      EXPORTS_CONTAINER: unique('scaleout'),
      JOBS_TABLE: unique('jobs'),
      STREAMS_TABLE: unique('streams'),
      LINK_AUDIT_TABLE: unique('links'),
      GRAPH_BUDGET_TABLE: unique('budget'),
      BACKFILL_DAYS: '2',
      MAX_WINDOWS_PER_TICK: String(options.windows),
      ...streamSettings,
      [streamSettingName(stream, 'WINDOW_MINUTES')]: '60',
      [streamSettingName(stream, 'LAG_MINUTES')]: '0',
    };
    const config = loadConfig(env);
    const runtime = buildRuntime(config, { now: () => new Date(now) });
    await runtime.ensureReady();
    const queue = runtime.storage.queueService.getQueueClient(JOBS_QUEUE_NAME);
    await queue.createIfNotExists();
    await queue.clearMessages();

    const instances = await startInstances({ count: options.processes, env });
    try {
      const { messages } = await planExports({ ...runtime, log: silentLogger });
      await warmUpSimulator(sim.url, { stream, fromMs: now - 2 * 86_400_000, toMs: now });
      await sim.resetStats();
      const started = performance.now();
      for (const message of messages) await queue.sendMessage(encodeMessageText(JSON.stringify(message), 'base64'));
      const reports = await instances.drain(options.drainTimeoutMs ?? 600_000);
      const seconds = (performance.now() - started) / 1000;
      const stats = await sim.stats();

      const jobs: Record<string, number> = {};
      let records = 0;
      let expectedRecords = 0;
      for (const job of await runtime.jobs.listAll()) {
        jobs[job.status] = (jobs[job.status] ?? 0) + 1;
        if (job.status === 'succeeded') records += job.result?.counts.records ?? 0;
        expectedRecords += await sim.groundTruthCount({ stream, start: job.windowStart, end: job.windowEnd });
      }
      const transactions = reports.reduce((sum, r) => sum + (r.budgetStats.reads ?? 0) + (r.budgetStats.writes ?? 0), 0);
      const ceiling = ((GRAPH_REQUESTS * GRAPH_PAGE_RECORDS) / GRAPH_WINDOW_SECONDS) * options.timeScale;
      const recordsPerSecond = records / seconds;
      return {
        processes: options.processes,
        budget: options.budget,
        records,
        expectedRecords,
        jobs,
        requests: stats.requests,
        throttled429: stats.throttled,
        peakRequestsPerWindow: stats.peakRequestsPerWindow,
        seconds,
        recordsPerSecond,
        ceiling,
        fill: recordsPerSecond / ceiling,
        requestFill: (stats.requests - stats.throttled) / seconds / ((GRAPH_REQUESTS / GRAPH_WINDOW_SECONDS) * options.timeScale),
        simulatorStallMs: stats.eventLoopHeldMs,
        lateReservations: reports.reduce((sum, r) => sum + (r.budgetStats.late ?? 0), 0),
        maxSendLateMs: Math.max(0, ...reports.map((r) => r.budgetStats.maxLateMs ?? 0)),
        storageTransactionsPerRequest: stats.requests > 0 ? transactions / stats.requests : 0,
        reports,
      };
    } finally {
      await instances.stop();
    }
  } finally {
    await sim.close();
  }
}

/** The simulator as the run reads it, in this process or in one of its own. */
interface RunSimulator {
  url: string;
  stats(): Promise<SimulatorStats>;
  resetStats(): Promise<void>;
  groundTruthCount(query: GroundTruthQuery): Promise<number>;
  close(): Promise<void>;
}

async function simulatorFor(options: ScaleOutOptions, stream: StreamId, now: number): Promise<RunSimulator> {
  const latency = options.latency ?? 'realistic';
  if (options.separateSimulator) {
    return startRemoteSimulator([
      '--seed', 'scale-out', '--now', new Date(now).toISOString(), '--time-scale', String(options.timeScale), '--latency', latency,
      '--throttle', `${GRAPH_REQUESTS}/${GRAPH_WINDOW_SECONDS}`, '--volume', `${stream}=${options.recordsPerWindow}`,
    ]);
  }
  const sim = await startSimulator({
    seed: 'scale-out',
    now: () => now,
    timeScale: options.timeScale,
    latency,
    throttle: { requests: GRAPH_REQUESTS, windowSeconds: GRAPH_WINDOW_SECONDS },
    volume: { [stream]: options.recordsPerWindow },
  });
  return {
    url: sim.url,
    stats: () => Promise.resolve(sim.stats()),
    resetStats: () => Promise.resolve(sim.resetStats()),
    groundTruthCount: (query) => Promise.resolve(sim.groundTruthIds(query).length),
    close: () => sim.close(),
  };
}
