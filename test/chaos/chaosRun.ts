/**
 * The chaos run: all six streams exported live while Graph fails at least 10% of requests (every fault kind),
 * publishes records late and twice, the queue delivers messages twice, and workers are killed at random points.
 * Then every exported id is compared with the simulator's ground truth and every manifest hash is checked
 * (chaosVerify.ts).
 *
 * Time is simulated: the planner runs every 15 minutes of the clock, each Graph page moves the clock on by
 * `pageClockMs`, and the simulator's waits (throttle window, Retry-After) are divided by 1000.
 */
import { startSimulator } from '../../dev/graph-simulator';
import { FAULT_KINDS, type FaultKind } from '../../dev/graph-simulator/options';
import { buildRuntime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config';
import type { FaultPoint } from '../../src/export/exportSession';
import type { ExportJob } from '../../src/export/job';
import { silentLogger } from '../../src/export/logger';
import { planExports } from '../../src/export/planner';
import { RetryLaterError, runExportJob, WorkerKilledError } from '../../src/export/worker';
import { createGraphClient } from '../../src/graph/graphClient';
import { STREAM_IDS, StreamId } from '../../src/streams/catalog';
import { ChaosQueue } from './chaosQueue';
import { verifyExport, type Verification } from './chaosVerify';
import { gatedStorage, Stalls } from './stalls';

export type { StreamReport } from './chaosVerify';

export const FAULT_POINTS: readonly FaultPoint[] = ['afterPage', 'afterStage', 'afterCheckpoint', 'beforeCommit', 'afterCommit', 'afterManifest'];

export interface ChaosOptions {
  connectionString: string;
  /** Total records across the six streams (approximate: the simulator draws counts per minute). */
  records: number;
  seed?: string;
  /** Hours of data exported. */
  spanHours?: number;
  concurrency?: number;
  /** Share of Graph requests failing on purpose, spread evenly over every fault kind. */
  faultRate?: number;
  /** Chance that a worker is killed each time it passes a point; 'afterPage' (mid-page) is passed far more often. */
  killRates?: Partial<Record<FaultPoint, number>>;
  duplicateRate?: number;
  /**
   * Chance, after a page or a staged flush, that the worker stalls past its lease (the clock jumps by the lease)
   * while a second delivery of its message arrives: the second one takes the job over and the stalled worker
   * carries on as a zombie until its next checkpoint or lease renewal is refused.
   */
  stallRate?: number;
  pageSize?: number;
  /** Simulated time one Graph page takes: with the time budget it decides how often a job continues. */
  pageClockMs?: number;
  timeBudgetSeconds?: number;
  blockTargetBytes?: number;
  log?: (line: string) => void;
  namePrefix?: string;
}

export interface GraphFaultReport {
  /** Every listing request the simulator received (rate-limited and failed ones included). */
  requests: number;
  /** Requests failed on purpose (the injected kinds only). */
  faults: number;
  faultShare: number;
  byKind: Record<FaultKind, number>;
  /** Not counted as faults: 429s of the simulator's real sliding-window throttle, skiptokens that really expired. */
  rateLimited: number;
  expiredSkipTokens: number;
}

export interface ChaosReport extends Verification {
  kills: number;
  killsByPoint: Record<FaultPoint, number>;
  passesByPoint: Record<FaultPoint, number>;
  continuations: number;
  stalls: number;
  /** Invocations that stopped because another one took their job over. */
  leaseLost: number;
  /** Deliveries ignored because the job was finished or held by a live lease. */
  skippedDeliveries: number;
  poisoned: number;
  queue: ChaosQueue['stats'];
  graph: GraphFaultReport;
  records: number;
  spanHours: number;
  pageSize: number;
  seconds: number;
}

const WEIGHTS: Record<StreamId, number> = { audit: 0.15, interactiveSignIns: 0.15, nonInteractiveSignIns: 0.35, servicePrincipalSignIns: 0.15, managedIdentitySignIns: 0.1, provisioning: 0.1 };
const TICK_MS = 15 * 60_000;
const LAG_MINUTES = 120;
const START = Date.parse('2026-11-20T00:00:00Z');
const TIME_SCALE = 1000;
export const DEFAULT_KILL_RATES: Record<FaultPoint, number> = { afterPage: 0.01, afterStage: 0.03, afterCheckpoint: 0.02, beforeCommit: 0.05, afterCommit: 0.05, afterManifest: 0.05 };

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const log = options.log ?? (() => undefined);
  const spanHours = options.spanHours ?? 6;
  const pageSize = options.pageSize ?? 1000;
  const faultRate = options.faultRate ?? 0.12;
  const seed = options.seed ?? 'chaos';
  const random = seededRandom(seed);
  const clock = { now: START };
  const volume = Object.fromEntries(STREAM_IDS.map((s) => [s, Math.max(1, Math.round((options.records * WEIGHTS[s]) / spanHours))])) as Record<StreamId, number>;
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, faultRate / FAULT_KINDS.length])) as Record<FaultKind, number>;
  // An invalid skiptoken can only be served to a request that carries one: draw it twice as often to keep its share.
  faults.invalidSkipToken *= 2;
  const sim = await startSimulator({
    seed,
    now: () => clock.now,
    dataStartMs: START - 24 * 3600_000,
    volume,
    latency: 'none',
    timeScale: TIME_SCALE,
    throttle: { requests: 5, windowSeconds: 10 },
    faults: { seed, ...faults },
    // One simulated hour is 3.6 s real: long enough that a token rarely really expires (an expired token is rejected
    // before the fault draw, so frequent expiry would crowd out the injected faults); the injected invalidSkipToken
    // exercises the same path on purpose.
    skipTokenTtlSeconds: 3600,
    publication: { lateShare: 0.05, lateMaxMinutes: 90, republishShare: 0.02, splitShare: 0.02 },
  });
  const prefix = options.namePrefix ?? 'chaos';
  const lagEnv = Object.fromEntries(STREAM_IDS.map((s) => [`STREAM_${s.toUpperCase()}_LAG_MINUTES`, String(LAG_MINUTES)]));
  const config = loadConfig({
    AzureWebJobsStorage: options.connectionString,
    GRAPH_AUTH_MODE: 'simulator',
    GRAPH_BASE_URL: sim.url,
    GRAPH_RATE_LIMIT_REQUESTS: '5',
    GRAPH_RATE_LIMIT_WINDOW_SECONDS: String(10 / TIME_SCALE),
    GRAPH_MAX_RETRIES: '8',
    GRAPH_PAGE_SIZE: String(pageSize),
    EXPORT_FORMATS: 'jsonl.gz,csv',
    EXPORTS_CONTAINER: `${prefix}exports`,
    JOBS_TABLE: `${prefix}jobs`,
    STREAMS_TABLE: `${prefix}streams`,
    LINK_AUDIT_TABLE: `${prefix}links`,
    BACKFILL_DAYS: '0',
    WORKER_TIME_BUDGET_SECONDS: String(options.timeBudgetSeconds ?? 60),
    BLOCK_TARGET_BYTES: String(options.blockTargetBytes ?? 256 * 1024),
    ...lagEnv,
  });
  const graph = createGraphClient(config.graph, { retryDelayMs: 2, maxRetryDelayMs: 40 });
  const runtime = buildRuntime(config, { graph, now: () => new Date(clock.now) });
  await runtime.ensureReady();
  const queue = new ChaosQueue(options.duplicateRate ?? 0.1, random);
  const killRates = { ...DEFAULT_KILL_RATES, ...options.killRates };
  const killsByPoint = zeroByPoint();
  const passesByPoint = zeroByPoint();
  const pageClockMs = options.pageClockMs ?? 5000;
  const stallRate = options.stallRate ?? 0.003;
  let continuations = 0;
  let leaseLost = 0;
  let skippedDeliveries = 0;
  let invocation = 0;

  const stalls = new Stalls();

  const worker = async (): Promise<void> => {
    for (;;) {
      const message = queue.receive();
      if (!message) {
        if (queue.idle()) return;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const { jobId } = message.body;
      let stalled: Promise<void> | undefined;
      let everStalled = false;
      const gate = async (): Promise<boolean> => {
        if (!stalled) return everStalled;
        await stalled;
        stalled = undefined;
        return true;
      };
      const storage = gatedStorage(runtime.jobs, runtime.container, gate, () => stalls.otherWrote(jobId));
      const faultPoint = (point: FaultPoint): void => {
        passesByPoint[point]++;
        if (point === 'afterPage') clock.now += pageClockMs;
        if (random() < killRates[point]) {
          killsByPoint[point]++;
          throw new WorkerKilledError(point);
        }
        if ((point === 'afterPage' || point === 'afterStage') && !everStalled && !stalls.isPending(jobId) && random() < stallRate) {
          everStalled = true;
          clock.now += (config.worker.leaseSeconds + 60) * 1000;
          stalled = stalls.start(jobId);
          queue.send(message.body);
        }
      };
      try {
        const result = await runExportJob(
          { message: message.body, invocationId: `chaos-${++invocation}`, dequeueCount: message.dequeueCount, maxDequeueCount: queue.maxDequeueCount },
          { ...runtime, ...storage, log: silentLogger, faultPoint },
        );
        if (result.outcome === 'continued') continuations++;
        if (result.outcome === 'skipped' && result.reason === 'lease lost') leaseLost++;
        else if (result.outcome === 'skipped') skippedDeliveries++;
        queue.complete(message);
        for (const next of result.messages) queue.send(next);
      } catch (error) {
        if (!(error instanceof WorkerKilledError) && !(error instanceof RetryLaterError)) log(`worker error: ${String(error)}`);
        queue.abandon(message);
      } finally {
        if (!everStalled) stalls.release(jobId);
      }
    }
  };

  const endOfData = START + spanHours * 3600_000;
  // The last window of the span is planned once it ended `LAG_MINUTES` ago.
  const lastPlanTick = endOfData + (LAG_MINUTES + 1) * 60_000;
  for (let tick = START; ; tick += TICK_MS) {
    clock.now = Math.max(clock.now, tick);
    // Every window of the span is planned by the last planning tick; later ticks only sweep (expired leases) and drain.
    if (tick > lastPlanTick) config.maxWindowsPerTick = 0;
    const planned = await planExports({ ...runtime, log: silentLogger });
    for (const m of planned.messages) queue.send(m);
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    if (tick >= lastPlanTick && !(await hasActiveJobs(runtime.jobs.listActive()))) break;
    if (tick > lastPlanTick + 100 * TICK_MS) break;
    if ((tick - START) % (4 * TICK_MS) === 0) log(`t=${new Date(clock.now).toISOString()} kills=${sum(killsByPoint)} continuations=${continuations} deliveries=${queue.stats.delivered}`);
  }

  const verification = await verifyExport(runtime, sim, { start: START, end: endOfData }, clock.now);
  const graphReport = faultReport(sim.stats());
  await sim.close();
  return {
    ...verification,
    kills: sum(killsByPoint),
    killsByPoint,
    passesByPoint,
    continuations,
    stalls: stalls.started,
    leaseLost,
    skippedDeliveries,
    poisoned: queue.poison.length,
    queue: queue.stats,
    graph: graphReport,
    records: options.records,
    spanHours,
    pageSize,
    seconds: (Date.now() - began) / 1000,
  };
}

function faultReport(stats: ReturnType<Awaited<ReturnType<typeof startSimulator>>['stats']>): GraphFaultReport {
  const byKind = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, stats.faults[kind] ?? 0])) as Record<FaultKind, number>;
  const faults = sum(byKind);
  return {
    requests: stats.requests,
    faults,
    faultShare: stats.requests ? faults / stats.requests : 0,
    byKind,
    // The simulator counts its throttle's 429s and the injected 429s without Retry-After together.
    rateLimited: stats.throttled - byKind.throttleNoRetryAfter,
    expiredSkipTokens: (stats.errorsByStatus['400'] ?? 0) - byKind.invalidSkipToken,
  };
}

function zeroByPoint(): Record<FaultPoint, number> {
  return Object.fromEntries(FAULT_POINTS.map((p) => [p, 0])) as Record<FaultPoint, number>;
}

function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

async function hasActiveJobs(active: AsyncIterable<ExportJob>): Promise<boolean> {
  for await (const _job of active) return true;
  return false;
}

/** Deterministic PRNG (mulberry32) seeded from a string. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatReport(report: ChaosReport): string {
  const lines = [
    `records requested: ${report.records}, span: ${report.spanHours} h, page size: ${report.pageSize}`,
    'stream                    windows  expected  exported  missing  duplicated  extra',
  ];
  for (const s of report.streams) {
    lines.push(`${s.stream.padEnd(25)} ${String(s.windows).padStart(7)} ${String(s.expected).padStart(9)} ${String(s.exported).padStart(9)} ${String(s.missing).padStart(8)} ${String(s.duplicated).padStart(11)} ${String(s.extra).padStart(6)}`);
  }
  const g = report.graph;
  const kinds = FAULT_KINDS.map((k) => `${k}=${g.byKind[k]} (${((g.byKind[k] / Math.max(1, g.requests)) * 100).toFixed(2)}%)`).join(', ');
  const kills = FAULT_POINTS.map((p) => `${p}=${report.killsByPoint[p]}/${report.passesByPoint[p]}`).join(', ');
  lines.push(
    `manifests verified: ${report.manifestsVerified}, files hashed: ${report.filesVerified}, hash mismatches: ${report.hashMismatches.length}, count mismatches: ${report.countMismatches.length}, unfinished jobs: ${report.unfinishedJobs.length}, gaps: ${report.gaps.length}`,
    `graph requests: ${g.requests}, failed on purpose: ${g.faults} (${(g.faultShare * 100).toFixed(1)}%)`,
    `  by kind: ${kinds}`,
    `  not counted: rate-limited 429 (sliding window) ${g.rateLimited}, skiptokens really expired ${g.expiredSkipTokens}`,
    `workers killed: ${report.kills} (killed/passes by point: ${kills})`,
    `stalls past the lease: ${report.stalls}, invocations that lost their lease to a takeover: ${report.leaseLost}, deliveries ignored (finished or leased): ${report.skippedDeliveries}`,
    `continuations: ${report.continuations}, queue: ${JSON.stringify(report.queue)}, poisoned: ${report.poisoned}`,
    `elapsed: ${report.seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}
