/**
 * The chaos suite at test size: six streams, >10% of Graph requests failing across every fault kind, late and
 * republished records, duplicate deliveries, workers killed at every fault point. Larger runs:
 * `npm run chaos -- --records N` (docs/reliability.md).
 */
import { FAULT_KINDS } from '../../dev/graph-simulator/options';
import { FAULT_POINTS, formatReport, runChaos } from './chaosRun';
import { azuriteConnectionString } from '../support/azurite';

describe('chaos', () => {
  it('exports every record exactly once and every manifest verifies', async () => {
    const report = await runChaos({
      connectionString: azuriteConnectionString(),
      records: 48_000,
      spanHours: 8,
      pageSize: 50,
      seed: 'npm-test',
      duplicateRate: 0.2,
      stallRate: 0.01,
      // A window passes the finalize points once, pages and flushes many times: kill at those more often so every
      // point is hit at this size.
      killRates: { beforeCommit: 0.1, afterCommit: 0.1, afterManifest: 0.1 },
      namePrefix: `chaos${Date.now().toString(36)}`,
    });
    console.log(formatReport(report));
    expect(report.graph.faultShare).toBeGreaterThanOrEqual(0.1);
    for (const kind of FAULT_KINDS) expect({ kind, hit: report.graph.byKind[kind] > 0 }).toEqual({ kind, hit: true });
    for (const point of FAULT_POINTS) expect({ point, killed: report.killsByPoint[point] > 0 }).toEqual({ point, killed: true });
    expect(report.continuations).toBeGreaterThan(0);
    expect(report.stalls).toBeGreaterThan(0);
    expect(report.leaseLost).toBeGreaterThan(0);
    expect(report.poisoned).toBe(0);
    expect(report.queue.duplicated).toBeGreaterThan(0);
    for (const stream of report.streams) {
      expect(stream.expected).toBeGreaterThan(0);
      expect({ stream: stream.stream, missing: stream.missing, duplicated: stream.duplicated, extra: stream.extra }).toEqual({ stream: stream.stream, missing: 0, duplicated: 0, extra: 0 });
    }
    expect(report.hashMismatches).toEqual([]);
    expect(report.countMismatches).toEqual([]);
    expect(report.unfinishedJobs).toEqual([]);
    expect(report.gaps).toEqual([]);
    expect(report.manifestsVerified).toBe(report.streams.reduce((n, s) => n + s.windows, 0));
  }, 600_000);
});
