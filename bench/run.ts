/**
 * `npm run bench [-- --quick] [--time-scale N] [--only pipe,scale,cpu,memory,margin,memory-1m,memory-6]`: every workload next to
 * its baseline in one run, printed as a table of ratios and peak memory. `margin` (the arrival-margin experiment) and
 * `memory-1m` (one window of a million records, several minutes) and `memory-6` (six windows of 100,000 records at once) run only when named. Absolute times on a shared machine are noise; the ratios are the result.
 * See docs/performance.md for what each ratio means and the figures measured.
 */
import { ARRIVAL_MARGIN } from '../src/graph/budget';
import { cpus } from 'node:os';
import type { AzuriteInstance } from '../dev/azurite';
import { startBenchAzurite } from './environment';
import { gcAvailable, MemoryPeaks } from './memorySampler';
import { runCpuCost } from './workloads/cpuCost';
import { runConcurrentWindows, runOneWindow } from './workloads/constantMemory';
import { buildDist, nodeWorkerArguments } from './exporterProcess';
import { PipeFillRun, runPipeFill } from './workloads/pipeFill';
import { runScaleOut, ScaleOutRun } from '../dev/instances';

type WorkloadId = 'pipe' | 'margin' | 'scale' | 'cpu' | 'memory' | 'memory-1m' | 'memory-6';

/** Workloads a plain `npm run bench` leaves out. */
const ONLY_WHEN_NAMED: readonly WorkloadId[] = ['margin', 'memory-1m', 'memory-6'];

interface Plan {
  quick: boolean;
  only: Set<WorkloadId>;
  pipe: { timeScale: number; windows: number; recordsPerWindow: number; concurrency: number };
  scale: { processes: number; windows: number; recordsPerWindow: number; timeScale: number };
  cpu: { recordsPerWindow: number; repetitions: number };
  memoryRecords: number;
}

const FULL: Plan = {
  pipe: { timeScale: 4, windows: 8, recordsPerWindow: 4000, concurrency: 4 },
  scale: { processes: 4, windows: 16, recordsPerWindow: 4000, timeScale: 4 },
  cpu: { recordsPerWindow: 20_000, repetitions: 3 },
  memoryRecords: 30_000,
  quick: false,
  only: new Set(),
};
const QUICK: Plan = {
  pipe: { timeScale: 10, windows: 3, recordsPerWindow: 3000, concurrency: 4 },
  scale: { processes: 4, windows: 4, recordsPerWindow: 2000, timeScale: 10 },
  cpu: { recordsPerWindow: 3000, repetitions: 1 },
  memoryRecords: 2000,
  quick: true,
  only: new Set(),
};

function parseArgs(argv: string[]): Plan {
  const plan = structuredClone(argv.includes('--quick') ? QUICK : FULL);
  const only = argv.indexOf('--only');
  if (only >= 0) plan.only = new Set(argv[only + 1].split(',') as WorkloadId[]);
  const scale = argv.indexOf('--time-scale');
  if (scale >= 0) plan.pipe.timeScale = plan.scale.timeScale = Number(argv[scale + 1]);
  if (!(plan.pipe.timeScale > 0)) throw new Error('--time-scale needs a positive number');
  return plan;
}

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const fixed = (n: number, digits = 2): string => n.toFixed(digits);
/**
 * Records per answered request over Graph's 1,000 a page: the record fill a run could reach at the full request limit
 * (the partial last page of every window is what keeps it below 1).
 */
const pagesFull = (records: number, answered: number): string => fixed(answered > 0 ? records / (answered * 1000) : 0);
/** Ratios of small memory figures are noise: denominators below 1 MB count as 1 MB. */
const memoryRatio = (large: number, small: number): string => fixed(Math.max(large, MB) / Math.max(small, MB));
const memoryCell = (m: MemoryPeaks): string => `heap +${mb(m.heapDelta)}, retained +${mb(m.retainedDelta)}, rss +${mb(m.rssDelta)}`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const wanted = (plan: Plan, id: WorkloadId): boolean => (plan.only.size === 0 ? !ONLY_WHEN_NAMED.includes(id) : plan.only.has(id));
const progress = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

/** Cancels the product limiter's arrival margin: the limiter counts exactly Graph's window (docs/performance.md, 429s). */
const NO_MARGIN_FACTOR = 1 / (1 + ARRIVAL_MARGIN);

async function pipeFillRows(azurite: AzuriteInstance, plan: Plan): Promise<string[][]> {
  const { pipe } = plan;
  progress(`pipe fill, ${pipe.windows} windows × ${pipe.recordsPerWindow} records, time scale ${pipe.timeScale}, ${pipe.concurrency} jobs at once`);
  const concurrent = await runPipeFill(azurite, pipe);
  progress('pipe fill baseline, one job at a time');
  const serial = await runPipeFill(azurite, { ...pipe, concurrency: 1 });
  if (concurrent.records !== serial.records) progress(`warning: ${concurrent.records} records with ${pipe.concurrency} jobs but ${serial.records} with 1`);
  const side = (run: PipeFillRun, label: string): string =>
    `${label}: ${fixed(run.recordsPerSecond, 0)}/s = ${fixed(run.fill)} of ceiling (requests ${fixed(run.requestFill)} of limit, ` +
    `pages ${pagesFull(run.records, run.requests - run.throttled429)} full), ` +
    `${run.throttled429} × 429 in ${run.requests} requests, ${fixed(run.seconds, 1)} s` +
    (run.simulatorStallMs === undefined ? '' : `, simulator held up to ${fixed(run.simulatorStallMs, 0)} ms`);
  const rows = [
    [
      `pipe fill (time scale ${pipe.timeScale}): ${concurrent.records} records, ceiling ${concurrent.ceiling}/s`,
      side(concurrent, `${pipe.concurrency} jobs`),
      side(serial, '1 job'),
      `${fixed(concurrent.fill)} (×${fixed(concurrent.recordsPerSecond / serial.recordsPerSecond)} vs 1 job)`,
      memoryCell(concurrent.memory),
    ],
  ];
  if (wanted(plan, 'margin')) {
    progress(`pipe fill baseline, ${pipe.concurrency} jobs, limiter without its arrival margin`);
    const noMargin = await runPipeFill(azurite, { ...pipe, limiterWindowFactor: NO_MARGIN_FACTOR });
    rows.push([
      `arrival margin: limiter window ${1 + ARRIVAL_MARGIN} × Graph's`,
      side(concurrent, `${pipe.concurrency} jobs, product limiter`),
      side(noMargin, `${pipe.concurrency} jobs, window = Graph's`),
      `×${fixed(concurrent.recordsPerSecond / noMargin.recordsPerSecond)} vs no margin`,
      memoryCell(noMargin.memory),
    ]);
  }
  return rows;
}

async function scaleOutRow(azurite: AzuriteInstance, plan: Plan): Promise<string[]> {
  const { scale } = plan;
  const run = (budget: 'shared' | 'process'): Promise<ScaleOutRun> =>
    runScaleOut({ connectionString: azurite.connectionString, budget, ...scale, separateSimulator: true });
  progress(`scale-out, ${scale.processes} processes, ${scale.windows} windows × ${scale.recordsPerWindow} records, time scale ${scale.timeScale}, shared budget`);
  const shared = await run('shared');
  progress(`scale-out baseline, ${scale.processes} processes, a budget per process`);
  const perProcess = await run('process');
  const side = (r: ScaleOutRun, label: string): string =>
    `${label}: ${fixed(r.recordsPerSecond, 0)}/s = ${fixed(r.fill)} of ceiling (requests ${fixed(r.requestFill)} of limit, ` +
    `pages ${pagesFull(r.records, r.requests - r.throttled429)} full), ` +
    `${r.throttled429} × 429 in ${r.requests} requests, at most ${r.peakRequestsPerWindow} in one window, ` +
    `jobs ${Object.entries(r.jobs).map(([status, n]) => `${n} ${status}`).join(', ')}, ${fixed(r.seconds, 1)} s`;
  const maxRss = Math.max(...shared.reports.map((report) => report.maxRssBytes));
  return [
    `scale-out (time scale ${scale.timeScale}): ${scale.processes} processes, ${shared.records} records, ceiling ${shared.ceiling}/s`,
    `${side(shared, 'shared budget')}, ${fixed(shared.storageTransactionsPerRequest, 1)} table transactions per request, ` +
      `sent at most ${fixed(shared.maxSendLateMs, 0)} ms after the grant (${shared.lateReservations} reservations given up as too late), ` +
      `simulator in a process of its own, held up to ${fixed(shared.simulatorStallMs ?? 0, 0)} ms`,
    side(perProcess, 'budget per process'),
    `${fixed(shared.fill)} (×${fixed(shared.recordsPerSecond / perProcess.recordsPerSecond)} vs per process)`,
    `rss peak ${mb(maxRss)} per instance`,
  ];
}

async function cpuRow(azurite: AzuriteInstance, plan: Plan): Promise<string[]> {
  progress(`CPU cost, ${plan.cpu.recordsPerWindow} records × ${plan.cpu.repetitions}`);
  const cpu = await runCpuCost(azurite, plan.cpu);
  return [
    `CPU: records per CPU-second (${cpu.recordsPerRun} records × ${plan.cpu.repetitions})`,
    `worker: ${fixed(cpu.productRecordsPerCpuSecond, 0)}`,
    `parse+stringify+gzip: ${fixed(cpu.baselineRecordsPerCpuSecond, 0)}`,
    `${fixed(cpu.ratio)} (worker costs ×${fixed(1 / cpu.ratio, 1)})`,
    memoryCell(cpu.productMemory),
  ];
}

async function memoryRow(azurite: AzuriteInstance, records: number): Promise<string[]> {
  progress('memory: compiling the app (npm run build) for the exporter process');
  buildDist();
  progress(`memory, one window of ${records} records (exporter and simulator in processes of their own)`);
  const small = await runOneWindow(azurite, records, 144);
  progress(`memory, one window of ${records * 10} records`);
  const large = await runOneWindow(azurite, records * 10, 1440);
  return [
    `memory: ${large.records} vs ${small.records} records`,
    `${large.records}: ${memoryCell(large.memory)}, ${fixed(large.seconds, 1)} s`,
    `${small.records}: ${memoryCell(small.memory)}, ${fixed(small.seconds, 1)} s`,
    `heap ${memoryRatio(large.memory.heapDelta, small.memory.heapDelta)}, retained ${memoryRatio(large.memory.retainedDelta, small.memory.retainedDelta)}, ` +
      `rss peak ${fixed(large.memory.maxRss / small.memory.maxRss)}`,
    `rss peak ${mb(large.memory.maxRss)} (${large.records}), ${mb(small.memory.maxRss)} (${small.records}): the exporter process alone ` +
      `(compiled app, node ${nodeWorkerArguments().join(' ') || '(V8 defaults)'}; ${mb(small.memory.rssAtStart)} loaded and ready before the first job)`,
  ];
}

/** Six large windows at once in one exporter process: the host's concurrency per instance under the heap limits. */
async function concurrentMemoryRow(azurite: AzuriteInstance, records: number, jobs: number): Promise<string[]> {
  progress('memory: compiling the app (npm run build) for the exporter process');
  buildDist();
  progress(`memory, ${jobs} windows of ${records} records at once in one exporter process`);
  const run = await runConcurrentWindows(azurite, records, jobs);
  const limit = nodeWorkerArguments()
    .map((a) => /^--max-old-space-size=(\d+)$/.exec(a))
    .find(Boolean);
  const oldSpaceMB = limit ? Number(limit[1]) : undefined;
  return [
    `memory: ${jobs} jobs at once, ${run.records} records`,
    `${memoryCell(run.memory)}, ${fixed(run.seconds, 1)} s`,
    'none (whether the heap limits hold the host\'s concurrency)',
    oldSpaceMB ? `${fixed(run.memory.heapDelta / (oldSpaceMB * MB))} of the old-space limit (heap +${mb(run.memory.heapDelta)} of ${oldSpaceMB} MB)` : 'no old-space limit',
    `rss peak ${mb(run.memory.maxRss)}: the exporter process alone (compiled app, node ${nodeWorkerArguments().join(' ') || '(V8 defaults)'})`,
  ];
}

async function main(): Promise<void> {
  const plan = parseArgs(process.argv.slice(2));
  if (!gcAvailable()) progress('no --expose-gc: retained heap is not measured (run through `npm run bench`)');
  const azurite = await startBenchAzurite();
  try {
    const rows = [['workload', 'product', 'baseline', 'ratio', 'peak memory (product)']];
    if (wanted(plan, 'pipe') || wanted(plan, 'margin')) rows.push(...(await pipeFillRows(azurite, plan)));
    if (wanted(plan, 'scale')) rows.push(await scaleOutRow(azurite, plan));
    if (wanted(plan, 'cpu')) rows.push(await cpuRow(azurite, plan));
    if (wanted(plan, 'memory')) rows.push(await memoryRow(azurite, plan.memoryRecords));
    if (wanted(plan, 'memory-1m')) rows.push(await memoryRow(azurite, plan.quick ? plan.memoryRecords : 100_000));
    if (wanted(plan, 'memory-6')) rows.push(await concurrentMemoryRow(azurite, plan.quick ? plan.memoryRecords : 100_000, 6));
    process.stdout.write(`\n${table(rows)}\n\nnode ${process.version}, ${cpus().length} cores, ${gcAvailable() ? 'gc exposed' : 'no gc'}\n`);
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
