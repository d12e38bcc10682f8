/**
 * `npm run chaos -- [options]`: runs the chaos export against its own Azurite (one per seed, in memory or on disk
 * under --azurite-location) and prints, per seed, missing/duplicated/extra/stale records per stream against the
 * simulator's ground truth, the manifest checks, job and window states, and the faults served. With `--seeds N`
 * it runs N seeds one after the other and ends with one line per seed. Exits non-zero unless every seed is exact.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite } from '../../dev/azurite';
import { sizeRange } from '../../dev/graph-simulator/cli';
import { formatReport, problems, verdict } from './chaosReport';
import { DEFAULT_BURSTS, DEFAULT_KILL_RATES, DEFAULT_PUBLICATION, DEFAULT_STORAGE_FAULT_RATE, DEFAULT_STORAGE_KILL_RATE, runChaos, type ChaosOptions, type ChaosReport } from './chaosRun';
import { isExact } from './chaosVerify';
import { FAULT_POINTS } from './chaosWorker';

const HELP = `npm run chaos -- [options]

Size and seeds
  --records <n>                 records across the six streams (default 100000; bursts come on top)
  --span-hours <h>              hours of data (default 6)
  --seed <s>                    seed (default chaos); with --seeds, the matrix runs <s>-1 … <s>-N
  --seeds <n>                   run n seeds one after the other and report each (default: one run of --seed)
  --seed-list <a,b,…>           run exactly these seeds

Workers and queue
  --concurrency <n>             worker instances (default 4)
  --queue azurite|memory        real Azurite queue with queue listeners and visibility timeouts (default), or simulated
  --message-lease-seconds <n>   Azurite: a message's visibility while its worker runs; a dead worker's returns after it (default 2)
  --duplicate-rate <p>          share of queue messages sent twice (default 0.1)
  --page-size <n>               Graph page size (default 1000)

Faults
  --fault-rate <p>              share of Graph requests failed on purpose, over every fault kind (default 0.12)
  --kill-scale <k>              multiplies every kill rate: named points and storage calls (default 1)
  --storage-fault-rate <p>      chance a storage call fails, before or after taking effect (default ${DEFAULT_STORAGE_FAULT_RATE})
  --storage-kill-rate <p>       chance a worker dies at a storage call, before or after it (default ${DEFAULT_STORAGE_KILL_RATE}, times --kill-scale)
  --stall-rate <p>              chance per page or flush that a worker stalls past its lease (default 0.003)

Publication and bursts (Graph simulator)
  --late-share <p>              share of records published late (default ${DEFAULT_PUBLICATION.lateShare})
  --late-delay <minutes>        latest late publication, uniform up to it (default ${DEFAULT_PUBLICATION.lateMaxMinutes}; above the lag is late for the exporter)
  --republish-share <p>         share of records published a second time, changed (default ${DEFAULT_PUBLICATION.republishShare})
  --split-share <p>             share of sign-ins split into two records (default ${DEFAULT_PUBLICATION.splitShare})
  --burst-share <p>             chance a minute holds a same-instant burst (default 0.02)
  --burst-size <min>-<max>      records in such a burst (default 50-300)
  --edge-burst-share <p>        chance a window boundary holds a burst exactly on it, and one on its last 100 ns (default ${DEFAULT_BURSTS.edgeShare})
  --edge-burst-size <min>-<max> records in an edge burst (default ${DEFAULT_BURSTS.edgeMinSize}-${DEFAULT_BURSTS.edgeMaxSize})
  --edge-minutes <n>            boundaries every n minutes (default 15: every window of every stream)

Product settings
  --lag <minutes>               every stream's lag (default: the product's per-stream defaults)
  --settle-hours <h>            a window must hold what Graph published within h hours of its end (default: RECHECK_AFTER_HOURS)
  --set <NAME=value>            any app setting (repeatable), e.g. --set RECHECK_ENABLED=true

  --azurite-location <dir>      keep Azurite's data on disk under dir (one folder per seed, removed after it)
  --quiet                       no progress lines while running
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      seed: { type: 'string', default: 'chaos' },
      seeds: { type: 'string' },
      'seed-list': { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      queue: { type: 'string', default: 'azurite' },
      'message-lease-seconds': { type: 'string' },
      'fault-rate': { type: 'string', default: '0.12' },
      'kill-scale': { type: 'string', default: '1' },
      'storage-fault-rate': { type: 'string' },
      'storage-kill-rate': { type: 'string' },
      'stall-rate': { type: 'string' },
      'duplicate-rate': { type: 'string', default: '0.1' },
      'span-hours': { type: 'string', default: '6' },
      'page-size': { type: 'string', default: '1000' },
      'late-share': { type: 'string' },
      'late-delay': { type: 'string' },
      'republish-share': { type: 'string' },
      'split-share': { type: 'string' },
      'burst-share': { type: 'string' },
      'burst-size': { type: 'string' },
      'edge-burst-share': { type: 'string' },
      'edge-burst-size': { type: 'string' },
      'edge-minutes': { type: 'string' },
      lag: { type: 'string' },
      'settle-hours': { type: 'string' },
      set: { type: 'string', multiple: true },
      'azurite-location': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.queue !== 'azurite' && values.queue !== 'memory') throw new Error('--queue is azurite or memory');
  const scale = num(values['kill-scale'], '--kill-scale') ?? 1;
  const settings = Object.fromEntries(
    (values.set ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--set expects NAME=value, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const base: Omit<ChaosOptions, 'connectionString' | 'seed'> = {
    records: num(values.records, '--records') ?? 100_000,
    concurrency: num(values.concurrency, '--concurrency'),
    queue: values.queue,
    messageLeaseSeconds: num(values['message-lease-seconds'], '--message-lease-seconds'),
    faultRate: num(values['fault-rate'], '--fault-rate'),
    killRates: Object.fromEntries(FAULT_POINTS.map((p) => [p, DEFAULT_KILL_RATES[p] * scale])),
    storageFaultRate: num(values['storage-fault-rate'], '--storage-fault-rate'),
    storageKillRate: (num(values['storage-kill-rate'], '--storage-kill-rate') ?? DEFAULT_STORAGE_KILL_RATE) * scale,
    stallRate: num(values['stall-rate'], '--stall-rate'),
    duplicateRate: num(values['duplicate-rate'], '--duplicate-rate'),
    spanHours: num(values['span-hours'], '--span-hours'),
    pageSize: num(values['page-size'], '--page-size'),
    publication: defined({
      lateShare: num(values['late-share'], '--late-share'),
      lateMaxMinutes: num(values['late-delay'], '--late-delay'),
      republishShare: num(values['republish-share'], '--republish-share'),
      splitShare: num(values['split-share'], '--split-share'),
    }),
    bursts: defined({
      share: num(values['burst-share'], '--burst-share'),
      ...sizeRange(values['burst-size'], '--burst-size', 'minSize', 'maxSize'),
      edgeShare: num(values['edge-burst-share'], '--edge-burst-share'),
      ...sizeRange(values['edge-burst-size'], '--edge-burst-size', 'edgeMinSize', 'edgeMaxSize'),
      edgeMinutes: num(values['edge-minutes'], '--edge-minutes'),
    }),
    lagMinutes: num(values.lag, '--lag'),
    settleHours: num(values['settle-hours'], '--settle-hours'),
    settings,
    log: values.quiet ? undefined : (line) => console.log(line),
  };
  const count = num(values.seeds, '--seeds');
  const seeds = values['seed-list'] ? values['seed-list'].split(',').filter(Boolean) : count ? Array.from({ length: count }, (_, i) => `${values.seed}-${i + 1}`) : [values.seed];

  const rows: string[] = [];
  let failures = 0;
  for (const seed of seeds) {
    console.log(`\n=== seed ${seed} ===`);
    const location = values['azurite-location'] ? join(values['azurite-location'], `seed-${seed}`) : undefined;
    if (location) mkdirSync(location, { recursive: true });
    const azurite = await startAzurite({ location });
    try {
      const report = await runChaos({ ...base, connectionString: azurite.connectionString, seed });
      console.log(formatReport(report));
      for (const problem of problems(report)) console.log(`  ${problem}`);
      console.log(verdict(report));
      if (!isExact(report)) failures++;
      rows.push(summaryRow(report));
    } catch (error) {
      failures++;
      console.error(error);
      rows.push(`${seed.padEnd(14)} CRASHED: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await azurite.stop();
      if (location) rmSync(location, { recursive: true, force: true });
    }
  }
  if (seeds.length > 1) {
    console.log(`\n=== ${seeds.length} seeds: ${seeds.length - failures} exact, ${failures} not ===`);
    console.log('seed           result     records  missing (late)  dup  extra  stale  unfinished  lost  gaps  graph faults  storage faults  kills  elapsed');
    for (const row of rows) console.log(row);
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

function summaryRow(r: ChaosReport): string {
  const total = (key: 'expected' | 'missing' | 'lateMissing' | 'duplicated' | 'extra' | 'stale') => r.streams.reduce((n, s) => n + s[key], 0);
  const cells = [
    r.seed.padEnd(14),
    (isExact(r) ? 'exact' : 'NOT EXACT').padEnd(9),
    String(total('expected')).padStart(8),
    `${total('missing')} (${total('lateMissing')})`.padStart(15),
    String(total('duplicated')).padStart(4),
    String(total('extra')).padStart(6),
    String(total('stale')).padStart(6),
    String(r.unfinishedJobs.length).padStart(11),
    String(r.lostWindows.length).padStart(5),
    String(r.gaps.length).padStart(5),
    `${(r.graph.faultShare * 100).toFixed(1)}%`.padStart(13),
    String(r.storage.totalFaults).padStart(15),
    String(r.kills).padStart(6),
    `${r.seconds.toFixed(0)} s`.padStart(8),
  ];
  return cells.join(' ');
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} expects a number ≥ 0, got ${value}`);
  return n;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

