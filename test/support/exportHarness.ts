/**
 * The product's planner and worker wired to the run's Azurite and an in-process Graph simulator, with a clock the
 * test moves. Messages are passed by hand (the queue itself is exercised by the local-host end-to-end test).
 */
import { AzuriteOAuthCredential } from '../../dev/azuriteCredential';
import { startSimulator, SimulatorHandle, SimulatorOptions } from '../../dev/graph-simulator';
import { buildRuntime, Runtime } from '../../src/app/runtime';
import { AppConfig, loadConfig } from '../../src/config';
import { ExportJob, JobMessage } from '../../src/export/job';
import { Logger, silentLogger } from '../../src/export/logger';
import { planExports } from '../../src/export/planner';
import { runExportJob, WorkerResult } from '../../src/export/worker';
import type { FaultPoint } from '../../src/export/exportSession';
import { createGraphClient } from '../../src/graph/graphClient';
import { createStorageClients } from '../../src/storage/clients';
import { STREAM_IDS, type StreamId } from '../../src/streams/catalog';
import { azuriteConnectionString, uniqueName } from './azurite';

/** Settings that leave only these streams enabled (every other `STREAM_<ID>_ENABLED` false). */
export function onlyStreams(...streams: StreamId[]): Record<string, string> {
  return Object.fromEntries(STREAM_IDS.map((s) => [`STREAM_${s.toUpperCase()}_ENABLED`, String(streams.includes(s))]));
}

export interface Harness {
  sim: SimulatorHandle;
  runtime: Runtime;
  config: AppConfig;
  clock: { now: number };
  plan(): Promise<JobMessage[]>;
  work(message: JobMessage, options?: { dequeueCount?: number; invocationId?: string; faultPoint?: (p: FaultPoint) => void }): Promise<WorkerResult>;
  /** Runs messages (and their continuations) until none are left. */
  drain(messages: JobMessage[]): Promise<WorkerResult[]>;
  allJobs(): Promise<ExportJob[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  nowIso: string;
  env?: Record<string, string>;
  simulator?: SimulatorOptions;
  log?: Logger;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const clock = { now: Date.parse(options.nowIso) };
  const sim = await startSimulator({ latency: 'none', throttle: false, seed: 'harness', now: () => clock.now, ...options.simulator });
  const config = loadConfig({
    AzureWebJobsStorage: azuriteConnectionString(),
    GRAPH_AUTH_MODE: 'simulator',
    GRAPH_BASE_URL: sim.url,
    GRAPH_RATE_LIMIT_REQUESTS: '1000',
    GRAPH_RATE_LIMIT_WINDOW_SECONDS: '1',
    EXPORTS_CONTAINER: uniqueName('exports'),
    JOBS_TABLE: uniqueName('jobs'),
    STREAMS_TABLE: uniqueName('streams'),
    LINK_AUDIT_TABLE: uniqueName('links'),
    BACKFILL_DAYS: '1',
    ...options.env,
  });
  // Blobs through Entra (OAuth) so links are user-delegation SAS, as in production; tables by key (Azurite has no table OAuth).
  const storage = createStorageClients(config.storage, { credential: new AzuriteOAuthCredential() });
  const graph = createGraphClient(config.graph, { retryDelayMs: 5, maxRetryDelayMs: 20 });
  const runtime = buildRuntime(config, { storage, graph, now: () => new Date(clock.now) });
  await runtime.ensureReady();
  const log = options.log ?? silentLogger;
  let invocation = 0;

  const harness: Harness = {
    sim,
    runtime,
    config,
    clock,
    async plan() {
      return (await planExports({ ...runtime, log })).messages;
    },
    async work(message, opts = {}) {
      return runExportJob(
        { message, invocationId: opts.invocationId ?? `inv-${++invocation}`, dequeueCount: opts.dequeueCount ?? 1, maxDequeueCount: 5 },
        { ...runtime, log, faultPoint: opts.faultPoint },
      );
    },
    async drain(messages) {
      const results: WorkerResult[] = [];
      const queue = [...messages];
      while (queue.length > 0) {
        const result = await harness.work(queue.shift() as JobMessage);
        results.push(result);
        queue.push(...result.messages);
      }
      return results;
    },
    allJobs: () => runtime.jobs.listAll(),
    async close() {
      await sim.close();
    },
  };
  return harness;
}
