/**
 * What every benchmark workload runs on: one plain-HTTP Azurite for the whole run, an in-process Graph simulator per
 * workload, and the product's own runtime, planner and worker wired to both. Each workload gets fresh tables and a
 * fresh container, and its own rate limiter, so workloads never share state.
 */
import { randomBytes } from 'node:crypto';
import { startAzurite, AzuriteInstance } from '../dev/azurite';
import { startSimulator, SimulatorHandle, SimulatorOptions } from '../dev/graph-simulator';
import { startSimulatorProcess } from './simulatorProcess';
import { buildRuntime, Runtime } from '../src/app/runtime';
import { AppConfig, loadConfig, streamSettingName } from '../src/config';
import type { JobMessage } from '../src/export/job';
import { silentLogger } from '../src/export/logger';
import { planExports } from '../src/export/planner';
import { runExportJob, WorkerResult } from '../src/export/worker';
import { createGraphClient, GraphClient } from '../src/graph/graphClient';
import { createRateLimiter, TokenBucketRateLimiter } from '../src/graph/budget';
import { STREAM_IDS, StreamId } from '../src/streams/catalog';
import { createStorageClients } from '../src/storage/clients';

/** The stream every workload exports: beta sign-ins, the largest records and the slowest pages. */
export const BENCH_STREAM: StreamId = 'nonInteractiveSignIns';
/** A fixed "now" far enough after the data that every record is visible and no window is in its lag. */
export const BENCH_NOW_ISO = '2026-11-27T12:00:00Z';

export function startBenchAzurite(): Promise<AzuriteInstance> {
  return startAzurite();
}

export interface BenchEnvOptions {
  azurite: AzuriteInstance;
  /** Records per window (roughly: the simulator draws them at recordsPerWindow / windowMinutes a minute). */
  recordsPerWindow: number;
  windows: number;
  /** Window size; must divide a day. Default 60. */
  windowMinutes?: number;
  simulator?: SimulatorOptions;
  /**
   * Run the simulator in a process of its own (its `volume`, latency none, throttle off), so this process's memory
   * is the exporter's alone. Its stats and ground truth are then not available here.
   */
  separateSimulator?: boolean;
  /** A simulator already running elsewhere (started and read by the workload itself); `sim` then only carries its URL. */
  simulatorUrl?: string;
  env?: Record<string, string>;
  /** Replaces the real Graph client (the CPU workload serves recorded pages). */
  graph?: (config: AppConfig) => GraphClient;
}

export interface BenchEnv {
  sim: SimulatorHandle;
  runtime: Runtime;
  config: AppConfig;
  /** The app settings `config` was loaded from (for a process of its own that runs the same app). */
  settings: Record<string, string>;
  rateLimiter: TokenBucketRateLimiter;
  /** Job messages for the planned windows, oldest first. */
  messages: JobMessage[];
  close(): Promise<void>;
}

function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export async function startBenchEnv(options: BenchEnvOptions): Promise<BenchEnv> {
  const now = Date.parse(BENCH_NOW_ISO);
  const windowMinutes = options.windowMinutes ?? 60;
  const perHour = Math.round((options.recordsPerWindow * 60) / windowMinutes);
  const sim = options.simulatorUrl
    ? remoteHandle(options.simulatorUrl, () => Promise.resolve())
    : options.separateSimulator
    ? await separateSimulator(perHour)
    : await startSimulator({ seed: 'bench', latency: 'none', throttle: false, now: () => now, volume: { [BENCH_STREAM]: perHour }, ...options.simulator });
  const streamSettings: Record<string, string> = {};
  for (const id of STREAM_IDS) streamSettings[streamSettingName(id, 'ENABLED')] = String(id === BENCH_STREAM);
  const settings: Record<string, string> = {
    AzureWebJobsStorage: options.azurite.connectionString,
    GRAPH_AUTH_MODE: 'simulator',
    GRAPH_BASE_URL: sim.url,
    EXPORTS_CONTAINER: uniqueName('bench'),
    JOBS_TABLE: uniqueName('jobs'),
    STREAMS_TABLE: uniqueName('streams'),
    LINK_AUDIT_TABLE: uniqueName('links'),
    // Two days back, so that even a one-day window lies wholly before `now`.
    BACKFILL_DAYS: '2',
    MAX_WINDOWS_PER_TICK: String(options.windows),
    ...streamSettings,
    [streamSettingName(BENCH_STREAM, 'WINDOW_MINUTES')]: String(windowMinutes),
    [streamSettingName(BENCH_STREAM, 'LAG_MINUTES')]: '0',
    ...options.env,
  };
  const config = loadConfig(settings);
  const rateLimiter = createRateLimiter(config.graph);
  const storage = createStorageClients(config.storage);
  const graph = options.graph ? options.graph(config) : createGraphClient(config.graph, { budget: rateLimiter });
  const runtime = buildRuntime(config, { storage, graph, now: () => new Date(now) });
  await runtime.ensureReady();
  const messages = (await planExports({ ...runtime, log: silentLogger })).messages;
  return {
    sim,
    runtime,
    config,
    settings,
    rateLimiter,
    messages,
    async close() {
      await sim.close();
    },
  };
}

/** The simulator as a child process, behind the handle's shape (only `url` and `close` work). */
async function separateSimulator(perHour: number): Promise<SimulatorHandle> {
  const child = await startSimulatorProcess(['--seed', 'bench', '--latency', 'none', '--throttle', 'off', '--now', BENCH_NOW_ISO, '--volume', `${BENCH_STREAM}=${perHour}`]);
  return remoteHandle(child.url, () => child.close());
}

/** A simulator in another process, behind the handle's shape (only `url` and `close` work). */
function remoteHandle(url: string, close: () => Promise<void>): SimulatorHandle {
  const unavailable = (): never => {
    throw new Error('The simulator runs in its own process: its stats and ground truth are not available here');
  };
  return { url, close, groundTruthIds: unavailable, expectedRecords: unavailable, stats: unavailable, resetStats: unavailable, update: unavailable };
}

export interface DrainResult {
  results: WorkerResult[];
  records: number;
  pages: number;
  throttled: number;
}

/**
 * Runs the messages (and their continuations) through the product's worker, `concurrency` at a time, the way the
 * Functions host runs a queue batch (host.json `batchSize`).
 */
export async function drainConcurrently(env: BenchEnv, messages: JobMessage[], concurrency: number): Promise<DrainResult> {
  const queue = [...messages];
  const out: DrainResult = { results: [], records: 0, pages: 0, throttled: 0 };
  let invocation = 0;
  const lane = async (): Promise<void> => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      const result = await runExportJob(
        { message, invocationId: `bench-${++invocation}`, dequeueCount: 1, maxDequeueCount: 5 },
        { ...env.runtime, log: silentLogger },
      );
      out.results.push(result);
      if (result.outcome !== 'succeeded' && result.outcome !== 'empty' && result.outcome !== 'continued') {
        throw new Error(`Job ${message.jobId} ended ${result.outcome}: ${JSON.stringify('job' in result ? result.job.lastError : result.reason)}`);
      }
      if (result.outcome === 'succeeded') {
        const counts = result.job.result?.counts;
        out.records += counts?.records ?? 0;
        out.pages += counts?.pages ?? 0;
        out.throttled += counts?.throttled ?? 0;
      }
      queue.push(...result.messages);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return out;
}
