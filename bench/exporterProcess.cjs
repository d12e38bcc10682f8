/**
 * The exporter alone, for the memory workload: a plain Node process (no TypeScript loader, no benchmark harness)
 * that loads the compiled function app from dist/ as the Functions host would (dist/src/functions/index.js, every
 * function registered), builds the runtime from its environment, and runs the queue worker (`runExportJob`) over the
 * job messages it is sent, continuations included, one at a time. It samples its own memory and reports the peaks
 * and the kernel's peak RSS of the process. Started by bench/exporterProcess.ts; `npm run build` must be current.
 */
'use strict';
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { setInterval, clearInterval } = require('node:timers');

const dist = join(__dirname, '..', 'dist', 'src');
const SAMPLE_EVERY_MS = 20;
/** A forced collection every few pages, to record what the export really holds. */
const SETTLE_EVERY_PAGES = 5;

function loadApp() {
  // Outside the Functions host, @azure/functions warns on every registration; nothing else is hidden.
  const warn = console.warn;
  console.warn = (first, ...rest) => {
    if (typeof first === 'string' && first.startsWith('WARNING: ')) return;
    warn(first, ...rest);
  };
  try {
    require(join(dist, 'functions', 'index.js'));
  } finally {
    console.warn = warn;
  }
}

function sampler() {
  const gc = () => {
    globalThis.gc();
    globalThis.gc();
  };
  gc();
  const start = process.memoryUsage();
  const peaks = { heap: start.heapUsed, rss: start.rss, retained: start.heapUsed };
  const sample = () => {
    const usage = process.memoryUsage();
    peaks.heap = Math.max(peaks.heap, usage.heapUsed);
    peaks.rss = Math.max(peaks.rss, usage.rss);
  };
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return {
    settle() {
      sample();
      gc();
      peaks.retained = Math.max(peaks.retained, process.memoryUsage().heapUsed);
    },
    stop() {
      sample();
      clearInterval(timer);
      return {
        heapDelta: peaks.heap - start.heapUsed,
        rssDelta: peaks.rss - start.rss,
        retainedDelta: peaks.retained - start.heapUsed,
        rssPeak: peaks.rss,
        rssAtStart: start.rss,
        maxRss: process.resourceUsage().maxRSS * 1024,
      };
    },
  };
}

async function drain(messages, now, concurrency) {
  const { buildRuntime } = require(join(dist, 'app', 'runtime.js'));
  const { loadConfig } = require(join(dist, 'config.js'));
  const { runExportJob } = require(join(dist, 'export', 'worker.js'));
  const runtime = buildRuntime(loadConfig(), { now: () => new Date(now) });
  await runtime.ensureReady();
  const memory = sampler();
  const getPage = runtime.graph.getPage.bind(runtime.graph);
  let pages = 0;
  runtime.graph.getPage = (url, signal) => {
    if (++pages % SETTLE_EVERY_PAGES === 0) memory.settle();
    return getPage(url, signal);
  };
  const silent = { info() {}, warn() {}, error() {} };
  const queue = [...messages];
  let records = 0;
  let invocation = 0;
  const started = performance.now();
  // `concurrency` jobs at once, as the host runs up to batchSize + newBatchThreshold queue messages per instance.
  const lane = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      const result = await runExportJob({ message, invocationId: `memory-${++invocation}`, dequeueCount: 1, maxDequeueCount: 5 }, { ...runtime, log: silent });
      if (!['succeeded', 'empty', 'continued'].includes(result.outcome)) {
        throw new Error(`Job ${message.jobId} ended ${result.outcome}: ${JSON.stringify('job' in result ? result.job.lastError : result.reason)}`);
      }
      if (result.outcome === 'succeeded') records += result.job.result?.counts.records ?? 0;
      queue.push(...result.messages);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { records, seconds: (performance.now() - started) / 1000, memory: memory.stop() };
}

process.once('message', (message) => {
  drain(message.messages, message.now, message.concurrency ?? 1).then(
    (report) => process.send({ type: 'done', report }, () => process.exit(0)),
    (error) => process.send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
});
loadApp();
process.send({ type: 'ready' });
