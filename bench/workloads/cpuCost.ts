/**
 * CPU cost of the pipeline: records per CPU-second through the real worker (parse → sieve → jsonl.gz and CSV
 * encoders → staged blocks → checkpoints) against the bare minimum (JSON.parse of the same page bodies,
 * JSON.stringify of each record, gzip). Pages are recorded from the simulator once and replayed from memory, so
 * neither side pays for generating them; process.cpuUsage() counts this process only (Azurite is a child process,
 * the storage client's own requests are counted). Runs alternate product and baseline to share the machine's noise.
 */
import { gzipSync } from 'node:zlib';
import type { AzuriteInstance } from '../../dev/azurite';
import { buildListUrl } from '../../src/graph/odata';
import { STREAMS } from '../../src/streams/catalog';
import { parseInstant } from '../../src/time/instant';
import { BENCH_STREAM, drainConcurrently, startBenchEnv } from '../environment';
import { MemoryPeaks, MemorySampler } from '../memorySampler';
import { RecordedPages, recordPages, replayGraphClient } from '../replayGraphClient';

export interface CpuCostOptions {
  recordsPerWindow: number;
  repetitions: number;
}

export interface CpuCostRun {
  pagesRecorded: number;
  recordsPerRun: number;
  productRecordsPerCpuSecond: number;
  baselineRecordsPerCpuSecond: number;
  /** product / baseline records per CPU-second. */
  ratio: number;
  productMemory: MemoryPeaks;
}

const NO_RATE_LIMIT = { GRAPH_RATE_LIMIT_REQUESTS: '1000', GRAPH_RATE_LIMIT_WINDOW_SECONDS: '1' };
const BASELINE_BLOCK_BYTES = 4 * 1024 * 1024;

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function record(azurite: AzuriteInstance, recordsPerWindow: number): Promise<RecordedPages> {
  const env = await startBenchEnv({ azurite, recordsPerWindow, windows: 1, env: NO_RATE_LIMIT });
  try {
    const job = await env.runtime.jobs.get(env.messages[0].jobId);
    if (!job) throw new Error('planned job not found');
    const stream = STREAMS[BENCH_STREAM];
    const url = buildListUrl(env.config.graph.baseUrl, {
      stream,
      start: parseInstant(job.windowStart),
      end: parseInstant(job.windowEnd),
      pageSize: env.config.graph.pageSize,
    });
    return await recordPages(url);
  } finally {
    await env.close();
  }
}

/** The bare minimum any exporter does with a page: parse it, write each record as a JSON line, gzip in 4 MiB blocks. */
function baselinePass(pages: RecordedPages): number {
  let records = 0;
  let text = '';
  for (const body of pages.bodies.values()) {
    const page = JSON.parse(body) as { value: unknown[] };
    for (const item of page.value) text += JSON.stringify(item) + '\n';
    records += page.value.length;
    if (text.length >= BASELINE_BLOCK_BYTES) {
      gzipSync(Buffer.from(text, 'utf8'), { level: 6 });
      text = '';
    }
  }
  if (text) gzipSync(Buffer.from(text, 'utf8'), { level: 6 });
  return records;
}

/** One export of the recorded window through the product's worker; its records and CPU-seconds. */
async function productPass(azurite: AzuriteInstance, pages: RecordedPages, recordsPerWindow: number): Promise<{ records: number; cpu: number; memory: MemoryPeaks }> {
  const env = await startBenchEnv({ azurite, recordsPerWindow, windows: 1, env: NO_RATE_LIMIT, graph: () => replayGraphClient(pages) });
  try {
    const sampler = new MemorySampler();
    sampler.start();
    const cpu = process.cpuUsage();
    const drained = await drainConcurrently(env, env.messages, 1);
    const used = cpuSeconds(cpu);
    return { records: drained.records, cpu: used, memory: sampler.stop() };
  } finally {
    await env.close();
  }
}

export async function runCpuCost(azurite: AzuriteInstance, options: CpuCostOptions): Promise<CpuCostRun> {
  const pages = await record(azurite, options.recordsPerWindow);
  // One unmeasured pass of each first: code the first export loads and compiles (the storage client's lazy modules,
  // TypeScript through tsx, the optimising compiler) is a start-up cost, not a cost per record.
  await productPass(azurite, pages, options.recordsPerWindow);
  baselinePass(pages);
  let productRecords = 0;
  let productCpu = 0;
  let baselineRecords = 0;
  let baselineCpu = 0;
  let productMemory: MemoryPeaks | undefined;
  for (let rep = 0; rep < options.repetitions; rep++) {
    const pass = await productPass(azurite, pages, options.recordsPerWindow);
    productCpu += pass.cpu;
    productRecords += pass.records;
    if (!productMemory || pass.memory.heapDelta > productMemory.heapDelta) productMemory = pass.memory;
    const cpu = process.cpuUsage();
    baselineRecords += baselinePass(pages);
    baselineCpu += cpuSeconds(cpu);
  }
  const product = productRecords / productCpu;
  const baseline = baselineRecords / baselineCpu;
  return {
    pagesRecorded: pages.bodies.size,
    recordsPerRun: productRecords / options.repetitions,
    productRecordsPerCpuSecond: product,
    baselineRecordsPerCpuSecond: baseline,
    ratio: product / baseline,
    productMemory: productMemory as MemoryPeaks,
  };
}
