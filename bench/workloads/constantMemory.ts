/**
 * Constant memory: one window of N records and one of 10 N through the real worker and the simulator (in a process
 * of its own, so the RSS measured is the exporter's)
 * (no throttle, no latency, default 4 MiB blocks). Both windows have the same record rate (144-minute and one-day
 * windows), so only the length of the export differs, not the size of the simulator's per-minute slices. Peak heap and RSS growth of both; a ratio near 1 says memory
 * does not grow with the size of the export. Besides timer samples (which include garbage not yet collected), the
 * heap is measured after a forced collection every few pages: what the export really holds.
 */
import type { AzuriteInstance } from '../../dev/azurite';
import type { GraphClient } from '../../src/graph/graphClient';
import { drainConcurrently, startBenchEnv } from '../environment';
import { MemoryPeaks, MemorySampler } from '../memorySampler';

export interface MemoryRun {
  records: number;
  seconds: number;
  memory: MemoryPeaks;
}

const SETTLE_EVERY_PAGES = 5;

function settleEvery(graph: GraphClient, sampler: MemorySampler): void {
  const getPage = graph.getPage.bind(graph);
  let pages = 0;
  graph.getPage = async (url, signal) => {
    if (++pages % SETTLE_EVERY_PAGES === 0) sampler.settle();
    return getPage(url, signal);
  };
}

export async function runOneWindow(azurite: AzuriteInstance, records: number, windowMinutes: number): Promise<MemoryRun> {
  const env = await startBenchEnv({
    azurite,
    recordsPerWindow: records,
    windows: 1,
    windowMinutes,
    separateSimulator: true,
    env: { GRAPH_RATE_LIMIT_REQUESTS: '1000', GRAPH_RATE_LIMIT_WINDOW_SECONDS: '1' },
  });
  try {
    const sampler = new MemorySampler();
    settleEvery(env.runtime.graph, sampler);
    sampler.start();
    const started = performance.now();
    const drained = await drainConcurrently(env, env.messages, 1);
    const seconds = (performance.now() - started) / 1000;
    return { records: drained.records, seconds, memory: sampler.stop() };
  } finally {
    await env.close();
  }
}
