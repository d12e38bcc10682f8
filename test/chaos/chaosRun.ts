/**
 * The chaos run: all six streams exported live by the real planner and worker while Graph fails a share of its
 * requests (every fault kind), publishes records late (some after the lag), twice and split, serves same-instant
 * bursts on window edges; storage fails and workers die at every storage call and at the session's named points;
 * the queue delivers messages twice, lets a message reappear while its first worker still runs, and poisons.
 * Then every exported record is compared with the simulator's ground truth, every manifest hash checked, and
 * every job and window checked for a terminal, exported state (chaosVerify.ts).
 *
 * Time is simulated: the planner runs every 15 minutes of the clock, each Graph page moves the clock on by
 * `pageClockMs`, and the simulator's waits (throttle window, Retry-After) are divided by 1000. The run goes on
 * until every window's horizon (end + lag + settle time, covering the re-check pass) has passed, no job is active, no
 * failed job awaits its automatic retry and no window awaits a re-check that is due (a window whose first export ended
 * after its re-check time is re-checked at the next planner run, as on the host). Poisoned messages go to the product's poison handler, as on the host.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { startSimulator, type SimulatorHandle } from '../../dev/graph-simulator';
import { FAULT_KINDS, type BurstOptions, type FaultKind, type PublicationOptions } from '../../dev/graph-simulator/options';
import { buildRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig, type AppConfig } from '../../src/config';
import type { FaultPoint } from '../../src/export/exportSession';
import { silentLogger } from '../../src/export/logger';
import { planExports } from '../../src/export/planner';
import { dueRecheckRanges } from '../../src/export/rechecks';
import { recordPoisonedMessage } from '../../src/export/poisonedMessage';
import { createGraphClient } from '../../src/graph/graphClient';
import { createStorageClients } from '../../src/storage/clients';
import { STREAM_IDS, StreamId } from '../../src/streams/catalog';
import { AzuriteJobQueue } from './azuriteQueue';
import { MemoryJobQueue, type JobQueueDriver, type PoisonHandler, type QueueReport } from './chaosQueue';
import { verifyExport, type Verification } from './chaosVerify';
import { ChaosWorker, type WorkerCounters } from './chaosWorker';
import { StorageFaults, type StorageFaultStats } from './storageFaults';

export { FAULT_POINTS } from './chaosWorker';
export type { StreamReport } from './chaosVerify';

export interface ChaosOptions {
  connectionString: string;
  /** Total records across the six streams (approximate: the simulator draws counts per minute; bursts come on top). */
  records: number;
  seed?: string;
  /** Hours of data exported. */
  spanHours?: number;
  /** Worker instances (queue listeners, or in-memory delivery loops). */
  concurrency?: number;
  /** Share of Graph requests failing on purpose, spread evenly over every fault kind. */
  faultRate?: number;
  /** Chance that a worker is killed each time it passes a point; 'afterPage' (mid-page) is passed far more often. */
  killRates?: Partial<Record<FaultPoint, number>>;
  /** Chance that a storage call fails (before or after it took effect). */
  storageFaultRate?: number;
  /** Chance that a worker dies at a storage call (before or after it took effect). */
  storageKillRate?: number;
  /** Force every storage fault kind on an operation that went this many calls without it (0: never). */
  forceStorageFaultsAfter?: number;
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
  /** `azurite`: real queue, queue listeners, visibility timeouts; `memory`: simulated delivery. */
  queue?: 'memory' | 'azurite';
  /** Azurite queue: visibility of a message while its invocation runs (a dead worker's message returns after it). */
  messageLeaseSeconds?: number;
  publication?: PublicationOptions;
  bursts?: BurstOptions;
  /** Lag of every stream in minutes; default: the product's per-stream defaults. */
  lagMinutes?: number;
  /** Hours after a window's end by which everything published must be exported; default: the re-check delay. */
  settleHours?: number;
  /** Extra app settings (e.g. `RECHECK_ENABLED`). */
  settings?: Record<string, string>;
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
  seed: string;
  queueMode: 'memory' | 'azurite';
  concurrency: number;
  worker: WorkerCounters;
  kills: number;
  stalls: number;
  storage: StorageFaultStats & { totalCalls: number; totalFaults: number; coverage: ReturnType<StorageFaults['coverage']> };
  plannerFailures: number;
  /** One sample of each distinct planner error (stack heads): a tick that failed for anything but a storage fault shows here. */
  plannerErrors: string[];
  queue: QueueReport;
  graph: GraphFaultReport;
  records: number;
  spanHours: number;
  pageSize: number;
  settleHours: number;
  /** Wall-clock seconds exporting, verifying, and in all. */
  runSeconds: number;
  verifySeconds: number;
  seconds: number;
}

const WEIGHTS: Record<StreamId, number> = { audit: 0.15, interactiveSignIns: 0.15, nonInteractiveSignIns: 0.35, servicePrincipalSignIns: 0.15, managedIdentitySignIns: 0.1, provisioning: 0.1 };
const TICK_MS = 15 * 60_000;
/** Planner runs after the last window's horizon before a still-pending job is reported as never ending (a day). */
const TAIL_TICKS = 96;
const START = Date.parse('2026-11-20T00:00:00Z');
const TIME_SCALE = 1000;
export const DEFAULT_KILL_RATES: Record<FaultPoint, number> = { afterPage: 0.01, afterStage: 0.03, afterCheckpoint: 0.02, beforeCommit: 0.05, afterCommit: 0.05, afterManifest: 0.05 };
export const DEFAULT_PUBLICATION: Required<PublicationOptions> = { lateShare: 0.05, lateMaxMinutes: 240, republishShare: 0.02, splitShare: 0.02 };
export const DEFAULT_BURSTS: BurstOptions = { edgeShare: 0.02, edgeMinSize: 1000, edgeMaxSize: 8000 };
export const DEFAULT_STORAGE_FAULT_RATE = 0.01;
export const DEFAULT_STORAGE_KILL_RATE = 0.002;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const log = options.log ?? (() => undefined);
  const spanHours = options.spanHours ?? 6;
  const pageSize = options.pageSize ?? 1000;
  const seed = options.seed ?? 'chaos';
  const concurrency = options.concurrency ?? 4;
  const random = seededRandom(seed);
  const clock = { now: START };
  const sim = await startChaosSimulator(options, seed, spanHours, clock);
  const prefix = options.namePrefix ?? 'chaos';
  const config = chaosConfig(options, sim.url, prefix, pageSize);
  const lags = Object.fromEntries(STREAM_IDS.map((s) => [s, config.streams[s].lagMinutes])) as Record<StreamId, number>;
  const settleHours = options.settleHours ?? config.recheck.afterHours;
  const now = (): Date => new Date(clock.now);
  const storage = createStorageClients(config.storage);
  const storageFaults = new StorageFaults(
    { fail: options.storageFaultRate ?? DEFAULT_STORAGE_FAULT_RATE, kill: options.storageKillRate ?? DEFAULT_STORAGE_KILL_RATE },
    random,
    (kind, method, client) => (kind === 'table' ? `${tableRole(config, (client as { tableName: string }).tableName)}.${method}` : `${kind}.${method}`),
    options.forceStorageFaultsAfter ?? 0,
  );
  const hostStorage = storageFaults.forHost(storage);
  // One Graph client for the process, on the product's shared request budget: its ledger row lives in Table storage,
  // whose calls fail like any other (a kill there would stop every job at once, so the budget's storage only fails).
  // Built first: the process keeps one shared budget per ledger row, and it must be this one.
  const graph = createGraphClient(config.graph, { retryDelayMs: 2, maxRetryDelayMs: 40, ledgerTable: hostStorage.table(config.graphBudgetTable) });
  // The run's own view (set-up, idle checks, verification): the same storage, no faults.
  const base = buildRuntime(config, { storage, graph, now });
  await base.ensureReady();
  const planner = buildRuntime(config, { storage: hostStorage, graph, now });
  // The worker re-delivers a stalled worker's message through the queue, which needs the worker: bound late.
  const late: { queue?: JobQueueDriver } = {};
  const worker = new ChaosWorker({
    base,
    config,
    graph,
    clock,
    random,
    storageFaults,
    settings: {
      killRates: { ...DEFAULT_KILL_RATES, ...options.killRates },
      stallRate: options.stallRate ?? 0.003,
      pageClockMs: options.pageClockMs ?? 5000,
    },
    log: silentLogger,
    redeliver: (message) => (late.queue ? late.queue.send(message) : Promise.resolve()),
  });
  // The host's poison-queue trigger, on the planner's storage (faults, no kills): a poisoned job is marked failed.
  const onPoison: PoisonHandler = async (message) => (await recordPoisonedMessage(message, { ...planner, log: silentLogger })) === 'failed';
  const queue = (late.queue = await startQueue(options, worker, storageFaults, random, concurrency, `${prefix}jobs`, onPoison));

  let plannerFailures = 0;
  const plannerErrors = new Map<string, string>();
  // One sample per kind of planner error: an injected storage fault is expected, anything else is a finding.
  const notePlannerError = (key: string, text: string): void => {
    if (!plannerErrors.has(key) && plannerErrors.size < 20) plannerErrors.set(key, text);
  };
  const endOfData = START + spanHours * 3600_000;
  const maxLag = Math.max(...Object.values(lags));
  // The last window of the span is planned once it ended `lag` ago; the run ends after every window's horizon.
  const lastPlanTick = endOfData + (maxLag + 1) * 60_000;
  const lastTick = endOfData + maxLag * 60_000 + settleHours * 3600_000 + TICK_MS;
  try {
    for (let tick = START; ; tick += TICK_MS) {
      clock.now = Math.max(clock.now, tick);
      // Once every window of the span is planned, later ticks only re-check, sweep and drain (no windows beyond it).
      if (tick > lastPlanTick && (await spanPlanned(base, config, endOfData))) for (const s of STREAM_IDS) config.streams[s].lagMinutes = 1_000_000;
      try {
        const planned = await planExports({ ...planner, log: silentLogger });
        // A failed step (a storage call failed) ends that step only; the run's messages still go out, as on the host.
        if (planned.failures.length) plannerFailures++;
        for (const failure of planned.failures) notePlannerError(failure.includes('Injected fault at ') ? 'injected' : failure.slice(0, 120), failure);
        for (const m of planned.messages) await queue.send(m);
      } catch (error) {
        // The timer invocation failed outside its steps (or sending a message failed): the next tick's sweep recovers.
        plannerFailures++;
        const text = String((error as Error)?.stack ?? error).slice(0, 600);
        notePlannerError(text.includes('Injected fault at ') ? 'injected' : text.slice(0, 120), text);
      }
      await queue.drain(() => clock.now >= tick + TICK_MS);
      if (tick >= lastTick && !(await hasPendingWork(base, config, now()))) break;
      // Up to a day more lets the sweeps recover jobs stranded late in the run and the planner retry failed ones (15 min,
      // doubling). At harsh kill rates a re-check pass that starts late can die at its commit points several times in a
      // row, each death costing a lease (10 min) and the next planner run; six hours was not always enough (seen at
      // --kill-scale 6). Idle ticks cost little, and the loop ends as soon as nothing is pending; what is still active
      // or awaiting a retry after a day is a job that does not end, and is reported.
      if (tick > lastTick + TAIL_TICKS * TICK_MS) break;
      if ((tick - START) % (4 * TICK_MS) === 0) {
        const c = worker.counters;
        log(`t=${new Date(clock.now).toISOString()} invocations=${c.invocations} continuations=${c.continuations} kills=${sum(c.killsByPoint) + c.storageKills} storage faults=${storageFaults.total()} planner failures=${plannerFailures}`);
      }
    }
  } finally {
    await queue.close();
  }

  const verifyStarted = Date.now();
  const runSeconds = (verifyStarted - began) / 1000;
  const verification = await verifyExport(base, sim, {
    range: { start: START, end: endOfData },
    asOf: clock.now,
    settleHours,
    lagMinutes: (stream) => lags[stream],
    streams: STREAM_IDS.filter((s) => config.streams[s].enabled),
    rechecksNeverRun: await dueRechecks(base, config, now()),
  });
  // A job that never finished says how its last invocations ended.
  verification.unfinishedJobs = verification.unfinishedJobs.map((line) => {
    const outcomes = worker.lastOutcomes(line.slice(0, line.indexOf(':')));
    return outcomes.length ? `${line}\n    last invocations: ${outcomes.join(' | ')}` : line;
  });
  const graphReport = faultReport(sim.stats());
  await sim.close();
  const counters = worker.counters;
  return {
    ...verification,
    seed,
    queueMode: queue.name,
    concurrency,
    worker: counters,
    kills: sum(counters.killsByPoint) + counters.storageKills,
    stalls: worker.stallsStarted,
    storage: { ...storageFaults.stats, totalCalls: storageFaults.totalCalls(), totalFaults: storageFaults.total(), coverage: storageFaults.coverage() },
    plannerFailures,
    plannerErrors: [...plannerErrors.values()],
    queue: await queue.report(),
    graph: graphReport,
    records: options.records,
    spanHours,
    pageSize,
    settleHours,
    runSeconds,
    verifySeconds: (Date.now() - verifyStarted) / 1000,
    seconds: (Date.now() - began) / 1000,
  };
}

async function startChaosSimulator(options: ChaosOptions, seed: string, spanHours: number, clock: { now: number }): Promise<SimulatorHandle> {
  const faultRate = options.faultRate ?? 0.12;
  const volume = Object.fromEntries(STREAM_IDS.map((s) => [s, Math.max(1, Math.round((options.records * WEIGHTS[s]) / spanHours))])) as Record<StreamId, number>;
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, faultRate / FAULT_KINDS.length])) as Record<FaultKind, number>;
  // An invalid skiptoken can only be served to a request that carries one: draw it twice as often to keep its share.
  faults.invalidSkipToken *= 2;
  return startSimulator({
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
    publication: { ...DEFAULT_PUBLICATION, ...options.publication },
    bursts: { ...DEFAULT_BURSTS, ...options.bursts },
  });
}

function chaosConfig(options: ChaosOptions, graphUrl: string, prefix: string, pageSize: number): AppConfig {
  const lagEnv = options.lagMinutes === undefined ? {} : Object.fromEntries(STREAM_IDS.map((s) => [`STREAM_${s.toUpperCase()}_LAG_MINUTES`, String(options.lagMinutes)]));
  return loadConfig({
    AzureWebJobsStorage: options.connectionString,
    GRAPH_AUTH_MODE: 'simulator',
    GRAPH_BASE_URL: graphUrl,
    GRAPH_RATE_LIMIT_REQUESTS: '5',
    GRAPH_RATE_LIMIT_WINDOW_SECONDS: String(10 / TIME_SCALE),
    GRAPH_MAX_RETRIES: '8',
    GRAPH_PAGE_SIZE: String(pageSize),
    EXPORT_FORMATS: 'jsonl.gz,csv',
    EXPORTS_CONTAINER: `${prefix}exports`,
    JOBS_TABLE: `${prefix}jobs`,
    STREAMS_TABLE: `${prefix}streams`,
    LINK_AUDIT_TABLE: `${prefix}links`,
    GRAPH_BUDGET_TABLE: `${prefix}budget`,
    BACKFILL_DAYS: '0',
    WORKER_TIME_BUDGET_SECONDS: String(options.timeBudgetSeconds ?? 60),
    BLOCK_TARGET_BYTES: String(options.blockTargetBytes ?? 256 * 1024),
    ...lagEnv,
    ...options.settings,
  });
}

async function startQueue(
  options: ChaosOptions, worker: ChaosWorker, storageFaults: StorageFaults, random: () => number, concurrency: number, queueName: string, onPoison: PoisonHandler,
): Promise<JobQueueDriver> {
  const duplicateRate = options.duplicateRate ?? 0.1;
  if ((options.queue ?? 'azurite') === 'memory') {
    const memory = new MemoryJobQueue(duplicateRate, random, concurrency, onPoison);
    memory.attach(worker);
    return memory;
  }
  const plainService = QueueServiceClient.fromConnectionString(options.connectionString);
  return AzuriteJobQueue.start({
    queueName,
    plainService,
    faultyService: storageFaults.queueService(plainService),
    worker,
    instances: concurrency,
    duplicateRate,
    random,
    messageLeaseSeconds: options.messageLeaseSeconds ?? 2,
    maxDequeueCount: 5,
    onPoison,
  });
}

/** `jobs`, `streams`, `links` or the table's name: operations are reported by the table's role. */
function tableRole(config: AppConfig, tableName: string): string {
  if (tableName === config.jobsTable) return 'jobs';
  if (tableName === config.streamsTable) return 'streams';
  if (tableName === config.linkAuditTable) return 'links';
  if (tableName === config.graphBudgetTable) return 'budget';
  return `table(${tableName})`;
}

function faultReport(stats: ReturnType<SimulatorHandle['stats']>): GraphFaultReport {
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

export function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

/** Whether every enabled stream's watermark reached the end of the span (a failed planner tick may have held it back). */
async function spanPlanned(runtime: Runtime, config: AppConfig, endOfData: number): Promise<boolean> {
  for (const stream of STREAM_IDS) {
    if (!config.streams[stream].enabled) continue;
    const state = await runtime.streams.get(stream);
    if (!state || Date.parse(state.watermark) < endOfData) return false;
  }
  return true;
}

/**
 * A job queued or running, failed with an automatic retry still to come, or finished with a re-check due that has not
 * run (its first export ended after the re-check time, or the planner's re-check step failed): the product's next timer
 * run plans it, so the run is not over.
 */
export async function hasPendingWork(runtime: Runtime, config: AppConfig, now: Date): Promise<boolean> {
  for await (const _job of runtime.jobs.listActive()) return true;
  for await (const _job of runtime.jobs.listDueRetries('9999-12-31T23:59:59Z')) return true;
  return (await dueRechecks(runtime, config, now, 1)).length > 0;
}

/** Windows whose re-check is due at `now` and has not been planned: `jobId:status: …` (at most `limit`). */
export async function dueRechecks(runtime: Runtime, config: AppConfig, now: Date, limit = Infinity): Promise<string[]> {
  const due: string[] = [];
  for (const stream of STREAM_IDS) {
    if (!config.streams[stream].enabled) continue;
    for (const { from, to, again } of dueRecheckRanges(config, now)) {
      for await (const job of runtime.jobs.listRecheckCandidates(stream, from, to, again)) {
        due.push(`${job.jobId}:${job.status}: ${again ? 'second ' : ''}re-check due (window ended ${job.windowEnd}, export finished ${job.finishedAt ?? '?'}), never ran`);
        if (due.length >= limit) return due;
      }
    }
  }
  return due;
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

