/**
 * `npm run bench:profile [-- --records N --repetitions N --top N]`: the CPU workload (bench/workloads/cpuCost.ts)
 * under `node --cpu-prof`, then the worker's top functions by self time. The workload runs in a child process started
 * with `--cpu-prof` (V8's sampling profiler, the profile written to `.profiles/` when the child exits); this process
 * reads the profile and attributes each sample by walking its stack: under `baselinePass` → baseline, under the page
 * recording or the simulator → recording, under the product's sources, the replayed client or the Azure SDK →
 * worker. Garbage collection and idle time belong to no stack and are printed apart. Shares are of the worker's
 * main-thread samples; gzip runs on libuv's thread pool and is not in a main-thread profile.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBenchAzurite } from './environment';
import { runCpuCost } from './workloads/cpuCost';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Side = 'worker' | 'baseline' | 'recording' | 'other';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function child(): Promise<void> {
  const azurite = await startBenchAzurite();
  try {
    const run = await runCpuCost(azurite, { recordsPerWindow: option('records', 20_000), repetitions: option('repetitions', 3) });
    process.stdout.write(
      `records per CPU-second: worker ${run.productRecordsPerCpuSecond.toFixed(0)}, baseline ${run.baselineRecordsPerCpuSecond.toFixed(0)}, ratio ${run.ratio.toFixed(2)} (${run.recordsPerRun} records × ${option('repetitions', 3)})\n`,
    );
  } finally {
    await azurite.stop();
  }
}

function shortUrl(url: string): string {
  return url.replace(/^.*\/(src|bench|dev|node_modules)\//, '$1/').replace(/^file:\/\//, '');
}

export function topFunctions(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sides = new Map<number, Side>();
  const sideOf = (id: number): Side => {
    const known = sides.get(id);
    if (known) return known;
    const { functionName, url } = (byId.get(id) as ProfileNode).callFrame;
    let side: Side;
    if (functionName === 'baselinePass') side = 'baseline';
    else if (functionName === 'recordPages' || url.includes('graph-simulator')) side = 'recording';
    else if (url.includes('/src/') || url.includes('replayGraphClient') || url.includes('@azure')) side = 'worker';
    else {
      const up = parent.get(id);
      side = up === undefined ? 'other' : sideOf(up);
    }
    sides.set(id, side);
    return side;
  };
  const totals: Record<Side, number> = { worker: 0, baseline: 0, recording: 0, other: 0 };
  const self = new Map<string, number>();
  const unattributed = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const side = sideOf(id);
    totals[side] += micros;
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    const name = `\`${functionName || '(anonymous)'}\` ${url ? `${shortUrl(url)}:${lineNumber + 1}` : '(native)'}`;
    if (side === 'worker') self.set(name, (self.get(name) ?? 0) + micros);
    if (side === 'other') unattributed.set(functionName, (unattributed.get(functionName) ?? 0) + micros);
  });
  const ms = (micros: number): string => (micros / 1000).toFixed(0);
  const lines = [
    `main thread: worker ${ms(totals.worker)} ms, baseline ${ms(totals.baseline)} ms, recording ${ms(totals.recording)} ms, ` +
      `garbage collection ${ms(unattributed.get('(garbage collector)') ?? 0)} ms (both sides), idle ${ms(unattributed.get('(idle)') ?? 0)} ms`,
    '',
    '| worker function (self time) | ms | share |',
    '|---|---|---|',
  ];
  for (const [name, micros] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| ${name} | ${ms(micros)} | ${((micros / totals.worker) * 100).toFixed(1)} % |`);
  }
  return lines.join('\n');
}

function parent(): void {
  const dir = resolve(__dirname, '..', '.profiles');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const args = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', '--expose-gc', '--require', 'tsx/cjs', __filename, '--child', ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const written = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).mtimeMs >= started)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!written) throw new Error(`No profile written to ${dir}`);
  process.stdout.write(`profile: ${written}\n\n${topFunctions(JSON.parse(readFileSync(written, 'utf8')) as CpuProfile, option('top', 20))}\n`);
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  parent();
}
