/**
 * The chaos run: all six streams exported live while Graph fails at least 10% of requests (every fault kind),
 * publishes records late and twice, the queue delivers messages twice, and workers are killed at random points.
 * Then every exported id is compared with the simulator's ground truth and every manifest hash is checked.
 */
import { gunzipSync } from 'node:zlib';
import { startSimulator } from '../../dev/graph-simulator';
import { buildRuntime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config';
import type { ExportJob } from '../../src/export/job';
import { silentLogger } from '../../src/export/logger';
import { planExports } from '../../src/export/planner';
import { RetryLaterError, runExportJob, WorkerKilledError } from '../../src/export/worker';
import { createGraphClient } from '../../src/graph/graphClient';
import { STREAM_IDS, StreamId } from '../../src/streams/catalog';
import { ChaosQueue } from './chaosQueue';
import { sha256 } from '../support/exportVerifier';

export interface ChaosOptions {
  connectionString: string;
  /** Total records across the six streams (approximate: the simulator draws counts per minute). */
  records: number;
  seed?: string;
  /** Hours of live export. */
  spanHours?: number;
  concurrency?: number;
  /** Share of Graph requests failing, spread over every fault kind. */
  faultRate?: number;
  /** Chance that a worker is killed at each fault point it passes. */
  killRate?: number;
  duplicateRate?: number;
  pageSize?: number;
  log?: (line: string) => void;
  namePrefix?: string;
}

export interface StreamReport {
  stream: StreamId;
  windows: number;
  expected: number;
  exported: number;
  missing: number;
  duplicated: number;
  extra: number;
}

export interface ChaosReport {
  streams: StreamReport[];
  manifestsVerified: number;
  hashMismatches: string[];
  unfinishedJobs: string[];
  gaps: string[];
  kills: number;
  continuations: number;
  poisoned: number;
  queue: ChaosQueue['stats'];
  graph: { requests: number; faults: number; faultShare: number; byKind: Record<string, number> };
  seconds: number;
}

const WEIGHTS: Record<StreamId, number> = { audit: 0.15, interactiveSignIns: 0.15, nonInteractiveSignIns: 0.35, servicePrincipalSignIns: 0.15, managedIdentitySignIns: 0.1, provisioning: 0.1 };
const TICK_MS = 15 * 60_000;
const START = Date.parse('2026-11-20T00:00:00Z');

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const log = options.log ?? (() => undefined);
  const spanHours = options.spanHours ?? 6;
  const faultRate = options.faultRate ?? 0.12;
  const random = seededRandom(options.seed ?? 'chaos');
  const clock = { now: START };
  const perKind = faultRate / 8;
  const volume = Object.fromEntries(STREAM_IDS.map((s) => [s, Math.max(1, Math.round((options.records * WEIGHTS[s]) / spanHours))])) as Record<StreamId, number>;
  const timeScale = 1000;
  const sim = await startSimulator({
    seed: options.seed ?? 'chaos',
    now: () => clock.now,
    dataStartMs: START - 24 * 3600_000,
    volume,
    latency: 'none',
    timeScale,
    throttle: { requests: 5, windowSeconds: 10 },
    faults: {
      seed: options.seed ?? 'chaos',
      throttleNoRetryAfter: perKind,
      serverError500: perKind,
      unavailable503: perKind,
      gatewayTimeout504: perKind,
      connectionReset: perKind,
      truncatedBody: perKind,
      invalidSkipToken: perKind * 2,
      emptyPageWithNextLink: perKind,
    },
    publication: { lateShare: 0.05, lateMaxMinutes: 90, republishShare: 0.02, splitShare: 0.02 },
  });
  const prefix = options.namePrefix ?? 'chaos';
  const lagEnv = Object.fromEntries(STREAM_IDS.map((s) => [`STREAM_${s.toUpperCase()}_LAG_MINUTES`, '120']));
  const config = loadConfig({
    AzureWebJobsStorage: options.connectionString,
    GRAPH_AUTH_MODE: 'simulator',
    GRAPH_BASE_URL: sim.url,
    GRAPH_RATE_LIMIT_REQUESTS: '5',
    GRAPH_RATE_LIMIT_WINDOW_SECONDS: String(10 / timeScale),
    GRAPH_MAX_RETRIES: '8',
    GRAPH_PAGE_SIZE: String(options.pageSize ?? 1000),
    EXPORTS_CONTAINER: `${prefix}exports`,
    JOBS_TABLE: `${prefix}jobs`,
    STREAMS_TABLE: `${prefix}streams`,
    LINK_AUDIT_TABLE: `${prefix}links`,
    BACKFILL_DAYS: '0',
    WORKER_TIME_BUDGET_SECONDS: '120',
    BLOCK_TARGET_BYTES: String(1024 * 1024),
    ...lagEnv,
  });
  const graph = createGraphClient(config.graph, { retryDelayMs: 2, maxRetryDelayMs: 40 });
  const runtime = buildRuntime(config, { graph, now: () => new Date(clock.now) });
  await runtime.ensureReady();
  const queue = new ChaosQueue(options.duplicateRate ?? 0.1, random);
  let kills = 0;
  let continuations = 0;
  let invocation = 0;
  const killRate = options.killRate ?? 0.01;

  const worker = async (): Promise<void> => {
    for (;;) {
      const message = queue.receive();
      if (!message) {
        if (queue.idle()) return;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      try {
        const result = await runExportJob(
          { message: message.body, invocationId: `chaos-${++invocation}`, dequeueCount: message.dequeueCount, maxDequeueCount: queue.maxDequeueCount },
          {
            ...runtime,
            log: silentLogger,
            faultPoint: (point) => {
              if (point === 'afterPage') clock.now += 1000;
              if (random() < killRate) {
                kills++;
                throw new WorkerKilledError(point);
              }
            },
          },
        );
        if (result.outcome === 'continued') continuations++;
        queue.complete(message);
        for (const next of result.messages) queue.send(next);
      } catch (error) {
        if (!(error instanceof WorkerKilledError) && !(error instanceof RetryLaterError)) log(`worker error: ${String(error)}`);
        queue.abandon(message);
      }
    }
  };

  const endOfData = START + spanHours * 3600_000;
  const lastTick = endOfData + 121 * 60_000;
  for (let tick = START; ; tick += TICK_MS) {
    clock.now = Math.max(clock.now, tick);
    const planned = await planExports({ ...runtime, log: silentLogger });
    for (const m of planned.messages) queue.send(m);
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    if (tick >= lastTick && !(await hasActiveJobs(runtime.jobs.listActive()))) break;
    if (tick > lastTick + 100 * TICK_MS) break;
    if (tick % (4 * TICK_MS) === 0) log(`t=${new Date(clock.now).toISOString()} kills=${kills} queue=${queue.stats.delivered}`);
    // Every window of the data span is planned by the last tick; later ticks only sweep and drain.
    if (tick >= lastTick) config.maxWindowsPerTick = 0;
  }

  const report = await verify(runtime, sim, clock.now, endOfData);
  const stats = sim.stats() as unknown as { requests?: { total?: number } ; faults?: Record<string, number> };
  const faultsByKind = stats.faults ?? {};
  const totalFaults = Object.values(faultsByKind).reduce((a, b) => a + (typeof b === 'number' ? b : 0), 0);
  const requests = typeof stats.requests?.total === 'number' ? stats.requests.total : 0;
  await sim.close();
  return {
    ...report,
    kills,
    continuations,
    poisoned: queue.poison.length,
    queue: queue.stats,
    graph: { requests, faults: totalFaults, faultShare: requests ? totalFaults / requests : 0, byKind: faultsByKind },
    seconds: (Date.now() - began) / 1000,
  };
}

async function hasActiveJobs(active: AsyncIterable<ExportJob>): Promise<boolean> {
  for await (const _job of active) return true;
  return false;
}

async function verify(runtime: ReturnType<typeof buildRuntime>, sim: Awaited<ReturnType<typeof startSimulator>>, asOf: number, endOfData: number) {
  const jobs: ExportJob[] = [];
  let token: string | undefined;
  do {
    const page = await runtime.jobs.list({ limit: 500, continuationToken: token });
    jobs.push(...page.jobs);
    token = page.continuationToken;
  } while (token);
  const streams: StreamReport[] = [];
  const hashMismatches: string[] = [];
  const unfinishedJobs = jobs.filter((j) => j.status !== 'succeeded' && j.status !== 'empty').map((j) => `${j.jobId}:${j.status}:${j.lastError?.code ?? ''}`);
  const gaps: string[] = [];
  let manifestsVerified = 0;
  for (const stream of STREAM_IDS) {
    const own = jobs.filter((j) => j.stream === stream && Date.parse(j.windowEnd) <= endOfData).sort((a, b) => a.windowStart.localeCompare(b.windowStart));
    for (let i = 1; i < own.length; i++) if (own[i].windowStart !== own[i - 1].windowEnd) gaps.push(`${stream}: ${own[i - 1].windowEnd} → ${own[i].windowStart}`);
    const seen = new Map<string, number>();
    for (const job of own) {
      if (!job.result) continue;
      for (const file of job.result.files) {
        const data = await runtime.container.getBlobClient(file.blobName).downloadToBuffer();
        if (sha256(data) !== file.sha256 || data.length !== file.bytes) hashMismatches.push(file.blobName);
        if (file.key.startsWith('jsonl')) {
          const text = (file.gzip ? gunzipSync(data) : data).toString('utf8');
          for (const line of text.split('\n')) {
            if (!line) continue;
            const id = (JSON.parse(line) as { id: string }).id;
            seen.set(id, (seen.get(id) ?? 0) + 1);
          }
        }
      }
      manifestsVerified++;
    }
    const truth = own.length ? sim.groundTruthIds({ stream, start: own[0].windowStart, end: own[own.length - 1].windowEnd, asOf }) : [];
    const truthSet = new Set(truth);
    let missing = 0;
    for (const id of truth) if (!seen.has(id)) missing++;
    let duplicated = 0;
    let extra = 0;
    let exported = 0;
    for (const [id, count] of seen) {
      exported += count;
      if (count > 1) duplicated++;
      if (!truthSet.has(id)) extra++;
    }
    streams.push({ stream, windows: own.length, expected: truth.length, exported, missing, duplicated, extra });
  }
  return { streams, manifestsVerified, hashMismatches, unfinishedJobs, gaps };
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
  const lines = ['stream                    windows  expected  exported  missing  duplicated  extra'];
  for (const s of report.streams) {
    lines.push(`${s.stream.padEnd(25)} ${String(s.windows).padStart(7)} ${String(s.expected).padStart(9)} ${String(s.exported).padStart(9)} ${String(s.missing).padStart(8)} ${String(s.duplicated).padStart(11)} ${String(s.extra).padStart(6)}`);
  }
  lines.push(
    `manifests verified: ${report.manifestsVerified}, hash mismatches: ${report.hashMismatches.length}, unfinished jobs: ${report.unfinishedJobs.length}, gaps: ${report.gaps.length}`,
    `graph requests: ${report.graph.requests}, failed on purpose: ${report.graph.faults} (${(report.graph.faultShare * 100).toFixed(1)}%) ${JSON.stringify(report.graph.byKind)}`,
    `workers killed: ${report.kills}, continuations: ${report.continuations}, queue: ${JSON.stringify(report.queue)}, poisoned: ${report.poisoned}`,
    `elapsed: ${report.seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}
