/**
 * Runs job messages through the exporter alone, in a process of its own (exporterProcess.cjs: compiled code from
 * dist/, no TypeScript loader, no harness), and returns its records, time and memory. The memory workload uses it so
 * that the memory measured is the function app's: Node, the compiled app with its Azure SDKs, and the export.
 */
import { spawnSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobMessage } from '../src/export/job';

export interface ExporterMemory {
  /** Highest sampled heapUsed minus heapUsed after a forced collection at the start, bytes. */
  heapDelta: number;
  /** Highest heapUsed right after a forced collection (every 5 pages) minus the same start, bytes. */
  retainedDelta: number;
  /** Highest sampled RSS minus RSS at the start (app loaded, runtime ready), bytes. */
  rssDelta: number;
  /** Highest sampled RSS, bytes. */
  rssPeak: number;
  /** RSS once the app is loaded and ready, before the first job, bytes. */
  rssAtStart: number;
  /** The kernel's peak RSS of the whole process (getrusage ru_maxrss), bytes. */
  maxRss: number;
}

export interface ExporterRun {
  records: number;
  seconds: number;
  memory: ExporterMemory;
}

type ChildMessage = { type: 'ready' } | { type: 'done'; report: ExporterRun } | { type: 'error'; message: string };

/**
 * The Node.js arguments the deployment gives the worker process (infra/app/nodeWorker.json, deployed as the app setting
 * `languageWorkers__node__arguments`): V8's heap limits. The exporter process runs with the same, so the memory
 * measured is the deployment's.
 */
export function nodeWorkerArguments(): string[] {
  const file = join(__dirname, '..', 'infra', 'app', 'nodeWorker.json');
  // BENCH_NODE_ARGUMENTS tries other limits without editing the deployment ('' for V8's defaults).
  const args = process.env.BENCH_NODE_ARGUMENTS ?? (JSON.parse(readFileSync(file, 'utf8')) as { arguments: string }).arguments;
  return args.split(' ').filter(Boolean);
}

/** Compiles src/ into dist/ (`npm run build`), so the exporter process runs the sources as they are. */
export function buildDist(): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd: join(__dirname, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('npm run build failed: the exporter process runs the compiled app');
}

export function runInExporterProcess(settings: Record<string, string>, messages: JobMessage[], now: string, concurrency = 1): Promise<ExporterRun> {
  const child = fork(join(__dirname, 'exporterProcess.cjs'), [], {
    execArgv: ['--expose-gc', ...nodeWorkerArguments()],
    env: { ...process.env, ...settings },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  return new Promise<ExporterRun>((resolve, reject) => {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') child.send({ messages, now, concurrency });
      else if (message.type === 'done') resolve(message.report);
      else reject(new Error(`The exporter process failed: ${message.message}`));
    });
    child.on('exit', (code, signal) => reject(new Error(`The exporter process exited (${signal ?? code}): ${stderr}`)));
  });
}
