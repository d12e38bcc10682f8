/** A chaos run's report as text: one table per stream, then the checks, the faults and the deliveries. */
import { FAULT_KINDS } from '../../dev/graph-simulator/options';
import type { ChaosReport } from './chaosRun';
import { isExact } from './chaosVerify';
import { FAULT_POINTS } from './chaosWorker';
import { STORAGE_FAULT_KINDS } from './storageFaults';

export function formatReport(report: ChaosReport): string {
  const lines = [
    `seed: ${report.seed}, records requested: ${report.records}, span: ${report.spanHours} h, page size: ${report.pageSize}, queue: ${report.queueMode}, workers: ${report.concurrency}, settle: ${report.settleHours} h`,
    'stream                    windows  expected  exported  missing  duplicated  extra  stale   late  late missing  after horizon',
  ];
  for (const s of report.streams) {
    const cells = [s.windows, s.expected, s.exported, s.missing, s.duplicated, s.extra, s.stale, s.late, s.lateMissing, s.afterHorizon];
    const widths = [7, 9, 9, 8, 11, 6, 6, 6, 13, 14];
    lines.push(`${s.stream.padEnd(25)} ${cells.map((c, i) => String(c).padStart(widths[i])).join(' ')}`);
  }
  const g = report.graph;
  const kinds = FAULT_KINDS.map((k) => `${k}=${g.byKind[k]} (${((g.byKind[k] / Math.max(1, g.requests)) * 100).toFixed(2)}%)`).join(', ');
  const w = report.worker;
  const kills = FAULT_POINTS.map((p) => `${p}=${w.killsByPoint[p]}/${w.passesByPoint[p]}`).join(', ');
  const st = report.storage;
  const storageKinds = STORAGE_FAULT_KINDS.map((k) => `${k}=${st.coverage.reduce((n, c) => n + c[k], 0)}`).join(', ');
  const q = report.queue;
  lines.push(
    `manifests verified: ${report.manifestsVerified}, files hashed: ${report.filesVerified}, hash mismatches: ${report.hashMismatches.length}, count mismatches: ${report.countMismatches.length}, unfinished jobs: ${report.unfinishedJobs.length}, lost windows: ${report.lostWindows.length}, gaps: ${report.gaps.length}`,
    `graph requests: ${g.requests}, failed on purpose: ${g.faults} (${(g.faultShare * 100).toFixed(1)}%)`,
    `  by kind: ${kinds}`,
    `  not counted: rate-limited 429 (sliding window) ${g.rateLimited}, skiptokens really expired ${g.expiredSkipTokens}`,
    `storage calls: ${st.totalCalls}, faults: ${st.totalFaults} (${((st.totalFaults / Math.max(1, st.totalCalls)) * 100).toFixed(2)}%): ${storageKinds}; operations: ${st.coverage.length}${st.unwrapped.length ? `, NOT FAULTED: ${st.unwrapped.join(', ')}` : ''}`,
    `  by operation (calls failBefore/failAfter/killBefore/killAfter): ${st.coverage.map((c) => `${c.op} ${c.calls} ${c.failBefore}/${c.failAfter}/${c.killBefore}/${c.killAfter}`).join(', ')}`,
    `workers killed: ${report.kills} (${w.storageKills} at storage calls; killed/passes by point: ${kills})`,
    `stalls past the lease: ${report.stalls}, invocations that lost their lease to a takeover: ${w.leaseLost}, deliveries ignored (finished or leased): ${w.skippedDeliveries}, deliveries overlapping a running invocation of the same job: ${w.overlapping}`,
    `invocations: ${w.invocations}, continuations: ${w.continuations}, worker errors (storage faults and others): ${w.workerErrors}, planner ticks failed: ${report.plannerFailures}`,
    `busiest job: ${report.busiestJob}`,
    `after the first pass: re-checks ${report.passes.rechecks} (late or changed records found ${report.passes.lateRecordsFound}, windows now served by a later revision ${report.passes.revisedWindows}, revisions kept beside the served one ${report.passes.keptRevisions}); automatic retries of failed jobs ${report.passes.autoRetries} (${report.passes.retriedJobs} jobs)`,
    `queue: sent ${q.sent}, duplicated ${q.duplicated}, delivered ${q.delivered}, redelivered ${q.redelivered}, died in flight ${q.died}, poisoned ${q.poisoned} (poison handler ran ${q.poisonHandled}, marked failed ${q.poisonRecorded}, left ${q.poisonLeft})` +
      (q.renewalFailures === undefined ? '' : `, visibility renewals failed ${q.renewalFailures}, settles failed ${q.settleFailures}, receives failed ${q.receiveFailures}`),
    `elapsed: ${report.seconds.toFixed(1)} s (export ${report.runSeconds.toFixed(1)} s, verification ${report.verifySeconds.toFixed(1)} s)`,
  );
  return lines.join('\n');
}

/** Every problem the verification found, one line each (at most `limit`). */
export function problems(report: ChaosReport, limit = 40): string[] {
  const lines = [
    ...report.unfinishedJobs.map((j) => `unfinished: ${j}`),
    ...report.lostWindows.map((j) => `lost window: ${j}`),
    ...report.gaps.map((g) => `gap: ${g}`),
    ...report.hashMismatches.map((h) => `hash: ${h}`),
    ...report.countMismatches.map((c) => `count: ${c}`),
    ...report.streams.filter((s) => s.missing || s.duplicated || s.extra || s.stale).map((s) => `${s.stream}: ${s.missing} missing (${s.lateMissing} late), ${s.duplicated} duplicated, ${s.extra} extra, ${s.stale} stale`),
    ...report.storage.unwrapped.map((op) => `storage call not faulted: ${op}`),
    ...report.samples.map((line) => `record ${line}`),
    ...report.worker.errorSamples.map((line) => `worker error: ${line}`),
    ...report.plannerErrors.map((line) => `planner error: ${line}`),
  ];
  // Planner errors last but always shown: a tick failing for anything but an injected fault stops the run from planning.
  return [...lines.slice(0, limit), ...report.plannerErrors.filter((_, i) => lines.length - report.plannerErrors.length + i >= limit).map((line) => `planner error: ${line}`)];
}

export function verdict(report: ChaosReport): string {
  return isExact(report) ? 'RESULT: exact (0 missing, 0 duplicated, 0 extra, 0 stale; every job terminal, every window exported, every manifest verified)' : 'RESULT: NOT EXACT';
}
