/**
 * `npm run chaos -- --records 1000000 [--seed s] [--concurrency 4] [--fault-rate 0.12] [--kill-rate 0.01]`
 * Starts its own Azurite, runs the chaos export, prints missing/duplicated/extra ids per stream against the
 * simulator's ground truth and the manifest checks, and exits non-zero unless everything is exact.
 */
import { parseArgs } from 'node:util';
import { startAzurite } from '../../dev/azurite';
import { formatReport, runChaos } from './chaosRun';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      seed: { type: 'string', default: 'chaos' },
      concurrency: { type: 'string', default: '4' },
      'fault-rate': { type: 'string', default: '0.12' },
      'kill-rate': { type: 'string', default: '0.01' },
      'duplicate-rate': { type: 'string', default: '0.1' },
      'span-hours': { type: 'string', default: '6' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('npm run chaos -- --records N [--seed s] [--concurrency n] [--fault-rate r] [--kill-rate r] [--duplicate-rate r] [--span-hours h]');
    return;
  }
  const azurite = await startAzurite();
  try {
    const report = await runChaos({
      connectionString: azurite.connectionString,
      records: Number(values.records),
      seed: values.seed,
      concurrency: Number(values.concurrency),
      faultRate: Number(values['fault-rate']),
      killRate: Number(values['kill-rate']),
      duplicateRate: Number(values['duplicate-rate']),
      spanHours: Number(values['span-hours']),
      log: (line) => console.log(line),
    });
    console.log(formatReport(report));
    const exact = report.streams.every((s) => s.missing === 0 && s.duplicated === 0 && s.extra === 0) && report.hashMismatches.length === 0 && report.unfinishedJobs.length === 0 && report.gaps.length === 0;
    console.log(exact ? 'RESULT: exact (0 missing, 0 duplicated, 0 extra; every manifest verified)' : 'RESULT: NOT EXACT');
    process.exitCode = exact ? 0 : 1;
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
