/**
 * Constant memory: one window of N records and one of 10 N exported by the exporter alone, in a process of its own
 * (bench/exporterProcess.ts: the compiled function app, no harness), against the simulator in another process (no
 * throttle, no latency, default 4 MiB blocks). Both windows have the same record rate (144-minute and one-day
 * windows), so only the length of the export differs, not the size of the simulator's per-minute slices. Peak heap,
 * retained heap (after a forced collection every few pages) and RSS of both; ratios near 1 say memory does not grow
 * with the size of the export.
 */
import type { AzuriteInstance } from '../../dev/azurite';
import { BENCH_NOW_ISO, startBenchEnv } from '../environment';
import { ExporterRun, runInExporterProcess } from '../exporterProcess';

export type MemoryRun = ExporterRun;

export async function runOneWindow(azurite: AzuriteInstance, records: number, windowMinutes: number): Promise<MemoryRun> {
  const env = await startBenchEnv({
    azurite,
    recordsPerWindow: records,
    windows: 1,
    windowMinutes,
    separateSimulator: true,
    // The exporter process builds its own runtime from these settings: a budget of its own, generous enough that the
    // simulator's speed, not the budget, sets the pace.
    env: { GRAPH_RATE_LIMIT_REQUESTS: '1000', GRAPH_RATE_LIMIT_WINDOW_SECONDS: '1', GRAPH_BUDGET: 'process' },
  });
  try {
    return await runInExporterProcess(env.settings, env.messages, BENCH_NOW_ISO);
  } finally {
    await env.close();
  }
}

/**
 * `jobs` windows of `records` each, exported at once by one exporter process (as the host runs up to batchSize +
 * newBatchThreshold queue messages per instance): whether the worker's heap limits hold that many large jobs.
 */
export async function runConcurrentWindows(azurite: AzuriteInstance, records: number, jobs: number): Promise<MemoryRun> {
  const env = await startBenchEnv({
    azurite,
    recordsPerWindow: records,
    windows: jobs,
    windowMinutes: 144,
    separateSimulator: true,
    env: { GRAPH_RATE_LIMIT_REQUESTS: '1000', GRAPH_RATE_LIMIT_WINDOW_SECONDS: '1', GRAPH_BUDGET: 'process' },
  });
  try {
    return await runInExporterProcess(env.settings, env.messages, BENCH_NOW_ISO, jobs);
  } finally {
    await env.close();
  }
}
