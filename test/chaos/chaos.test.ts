/**
 * The chaos suite at test size: six streams on the real Azurite queue with four worker instances, >10% of Graph
 * requests failing across every fault kind, storage failing and workers dying at every storage operation the
 * worker performs and at every named point, records published late (after the lag) and twice, same-instant bursts
 * on window edges longer than one invocation reads, duplicate deliveries, stalls past the lease, poisoned messages. Larger runs and seed matrices: `npm run chaos`
 * (docs/reliability.md).
 */
import { FAULT_KINDS } from '../../dev/graph-simulator/options';
import { formatReport, problems } from './chaosReport';
import { FAULT_POINTS, runChaos } from './chaosRun';
import { STORAGE_FAULT_KINDS } from './storageFaults';
import { azuriteConnectionString } from '../support/azurite';

describe('chaos', () => {
  it('exports every record exactly once, ends every job and every window, and every manifest verifies', async () => {
    const report = await runChaos({
      connectionString: azuriteConnectionString(),
      records: 12_000,
      spanHours: 5,
      pageSize: 50,
      seed: 'npm-test',
      duplicateRate: 0.2,
      stallRate: 0.01,
      messageLeaseSeconds: 1,
      // A window passes the finalize points once, pages and flushes many times: kill at those more often so every
      // point is hit at this size.
      killRates: { beforeCommit: 0.1, afterCommit: 0.1, afterManifest: 0.1 },
      // Every storage operation the worker performs fails and kills before and after at least once.
      forceStorageFaultsAfter: 50,
      // Same-instant bursts exactly on window boundaries and on their last 100 ns, each longer than a page and than
      // what one invocation reads (12 pages of 50), but within what one re-reads at most (the hard limit, 14.4 pages)
      // when its resume link fails: larger bursts are a finding of `npm run chaos` (docs/reliability.md).
      bursts: { edgeShare: 0.03, edgeMinSize: 610, edgeMaxSize: 680 },
      // The product's lags; 5% of records published up to 4 h late, many after the lag: the re-check pass (on by
      // default, here after 4 h instead of 24 to keep the simulated day short) must find them. Settle time: 4 h.
      settings: { RECHECK_AFTER_HOURS: '4' },
      namePrefix: `chaos${Date.now().toString(36)}`,
    });
    console.log(`${formatReport(report)}\n${problems(report).join('\n')}`);
    expect(report.graph.faultShare).toBeGreaterThanOrEqual(0.1);
    for (const kind of FAULT_KINDS) expect({ kind, hit: report.graph.byKind[kind] > 0 }).toEqual({ kind, hit: true });
    for (const point of FAULT_POINTS) expect({ point, killed: report.worker.killsByPoint[point] > 0 }).toEqual({ point, killed: true });
    for (const op of ['jobs.getEntity', 'jobs.submitTransaction', 'blob.stageBlock', 'blob.commitBlockList', 'blob.getProperties', 'blob.upload', 'blob.downloadToBuffer']) {
      const covered = report.storage.coverage.find((c) => c.op === op);
      for (const kind of STORAGE_FAULT_KINDS) expect({ op, kind, hit: (covered?.[kind] ?? 0) > 0 }).toEqual({ op, kind, hit: true });
    }
    expect(report.storage.unwrapped).toEqual([]);
    expect(report.worker.continuations).toBeGreaterThan(0);
    expect(report.stalls).toBeGreaterThan(0);
    expect(report.worker.leaseLost).toBeGreaterThan(0);
    expect(report.worker.overlapping).toBeGreaterThan(0);
    expect(report.queue.duplicated).toBeGreaterThan(0);
    expect(report.queue.died).toBeGreaterThan(0);
    expect(report.passes.rechecks).toBeGreaterThan(0);
    expect(report.passes.lateRecordsFound).toBeGreaterThan(0);
    for (const stream of report.streams) {
      expect(stream.expected).toBeGreaterThan(0);
      expect(stream.late).toBeGreaterThan(0);
      // Every record published by the window's horizon (late ones included: the re-check pass adds them) is exported
      // exactly once; nothing duplicated, nothing extra. Stale versions (a republished record whose older version the
      // files keep) are reported above, not yet asserted: their traced cause is fixed (docs/reliability.md, harsh settings).
      expect({ stream: stream.stream, missing: stream.missing, lateMissing: stream.lateMissing, duplicated: stream.duplicated, extra: stream.extra }).toEqual({
        stream: stream.stream, missing: 0, lateMissing: 0, duplicated: 0, extra: 0,
      });
    }
    expect(report.hashMismatches).toEqual([]);
    expect(report.countMismatches).toEqual([]);
    expect(report.unfinishedJobs).toEqual([]);
    expect(report.lostWindows).toEqual([]);
    expect(report.gaps).toEqual([]);
    expect(report.manifestsVerified).toBe(report.streams.reduce((n, s) => n + s.windows, 0));
  }, 900_000);
});
