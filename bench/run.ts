/**
 * `npm run bench [-- --quick] [-- --time-scale N]`: every workload next to its baseline in one process run, printed
 * as a table of ratios and peak memory. Absolute times on a shared machine are noise; the ratios are the result.
 * See docs/performance.md for what each ratio means and the figures measured.
 */
import { startBenchAzurite } from './environment';
import { gcAvailable, MemoryPeaks } from './memorySampler';
import { runCpuCost } from './workloads/cpuCost';
import { runOneWindow } from './workloads/constantMemory';
import { runPipeFill } from './workloads/pipeFill';

interface Plan {
  pipe: { timeScale: number; windows: number; recordsPerWindow: number; concurrency: number };
  cpu: { recordsPerWindow: number; repetitions: number };
  memoryRecords: number;
}

const FULL: Plan = {
  pipe: { timeScale: 4, windows: 8, recordsPerWindow: 4000, concurrency: 4 },
  cpu: { recordsPerWindow: 20_000, repetitions: 3 },
  memoryRecords: 30_000,
};
const QUICK: Plan = {
  pipe: { timeScale: 10, windows: 3, recordsPerWindow: 3000, concurrency: 4 },
  cpu: { recordsPerWindow: 3000, repetitions: 1 },
  memoryRecords: 2000,
};

function parseArgs(argv: string[]): Plan {
  const plan = structuredClone(argv.includes('--quick') ? QUICK : FULL);
  const scale = argv.indexOf('--time-scale');
  if (scale >= 0) plan.pipe.timeScale = Number(argv[scale + 1]);
  if (!(plan.pipe.timeScale > 0)) throw new Error('--time-scale needs a positive number');
  return plan;
}

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const fixed = (n: number, digits = 2): string => n.toFixed(digits);
/** Ratios of small memory figures are noise: denominators below 1 MB count as 1 MB. */
const memoryRatio = (large: number, small: number): string => fixed(Math.max(large, MB) / Math.max(small, MB));
const memoryCell = (m: MemoryPeaks): string => `heap +${mb(m.heapDelta)}, retained +${mb(m.retainedDelta)}, rss +${mb(m.rssDelta)}`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const plan = parseArgs(process.argv.slice(2));
  const progress = (m: string): void => void process.stderr.write(`bench: ${m}\n`);
  if (!gcAvailable()) progress('no --expose-gc: retained heap is not measured (run through `npm run bench`)');
  const azurite = await startBenchAzurite();
  try {
    const { pipe } = plan;
    progress(`pipe fill, ${pipe.windows} windows × ${pipe.recordsPerWindow} records, time scale ${pipe.timeScale}, ${pipe.concurrency} jobs at once`);
    const concurrent = await runPipeFill(azurite, pipe);
    progress('pipe fill baseline, one job at a time');
    const serial = await runPipeFill(azurite, { ...pipe, concurrency: 1 });
    progress(`CPU cost, ${plan.cpu.recordsPerWindow} records × ${plan.cpu.repetitions}`);
    const cpu = await runCpuCost(azurite, plan.cpu);
    progress(`memory, one window of ${plan.memoryRecords} records`);
    const small = await runOneWindow(azurite, plan.memoryRecords, 144);
    progress(`memory, one window of ${plan.memoryRecords * 10} records`);
    const large = await runOneWindow(azurite, plan.memoryRecords * 10, 1440);

    const rows = [
      ['workload', 'product', 'baseline', 'ratio', 'peak memory (product)'],
      [
        `pipe fill: records/s, ceiling ${concurrent.ceiling}/s`,
        `${pipe.concurrency} jobs: ${fixed(concurrent.recordsPerSecond, 0)}/s = ${fixed(concurrent.fill)} of ceiling (requests ${fixed(concurrent.requestFill)} of limit), ${concurrent.throttled429} × 429 in ${concurrent.requests} requests`,
        `1 job: ${fixed(serial.recordsPerSecond, 0)}/s = ${fixed(serial.fill)} of ceiling (requests ${fixed(serial.requestFill)} of limit), ${serial.throttled429} × 429 in ${serial.requests} requests`,
        `${fixed(concurrent.fill)} (×${fixed(concurrent.recordsPerSecond / serial.recordsPerSecond)} vs 1 job)`,
        memoryCell(concurrent.memory),
      ],
      [
        'CPU: records per CPU-second',
        `worker: ${fixed(cpu.productRecordsPerCpuSecond, 0)}`,
        `parse+stringify+gzip: ${fixed(cpu.baselineRecordsPerCpuSecond, 0)}`,
        `${fixed(cpu.ratio)} (worker costs ×${fixed(1 / cpu.ratio, 1)})`,
        memoryCell(cpu.productMemory),
      ],
      [
        `memory: ${large.records} vs ${small.records} records`,
        `${large.records}: ${memoryCell(large.memory)}`,
        `${small.records}: ${memoryCell(small.memory)}`,
        `heap ${memoryRatio(large.memory.heapDelta, small.memory.heapDelta)}, retained ${memoryRatio(large.memory.retainedDelta, small.memory.retainedDelta)}`,
        `rss peak ${mb(Math.max(large.memory.rssPeak, small.memory.rssPeak))}`,
      ],
    ];
    process.stdout.write(`\n${table(rows)}\n\n`);
    process.stdout.write(
      `details: pipe fill ${concurrent.records} records in ${fixed(concurrent.seconds, 1)} s (${pipe.concurrency} jobs) vs ${fixed(serial.seconds, 1)} s (1 job); ` +
        `CPU ${cpu.pagesRecorded} pages, ${cpu.recordsPerRun} records per run; memory runs ${fixed(small.seconds, 1)} s and ${fixed(large.seconds, 1)} s\n`,
    );
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
