/**
 * After a chaos run: every window of every stream compared with the simulator's ground truth, every manifest read
 * back and each file it lists downloaded and hashed, every job's state checked.
 *
 * What a window must hold: every record whose time is in the window and that Graph served by the window's
 * *horizon*, the window end plus `settleHours` (the re-check delay: the product's last look at a window starts after
 * it, at the first planner run after both the delay and the window's first export have passed; the run goes on until
 * every due re-check has run, and one that never ran is reported as unfinished), each once, in its last version. Records published after their window's lag are counted apart as late records, and
 * those of them missing from the files as late losses. Records first published after the horizon are not
 * expected (no exporter can see them in time) and are reported; if the product exported them anyway they are
 * not extra.
 */
import { gunzipSync } from 'node:zlib';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import type { Runtime } from '../../src/app/runtime';
import { isTerminal, type ExportJob } from '../../src/export/job';
import type { Manifest } from '../../src/export/manifest';
import { STREAM_IDS, StreamId } from '../../src/streams/catalog';
import { canonicalJson, parseCsv, sha256 } from '../support/exportVerifier';

export interface StreamReport {
  stream: StreamId;
  windows: number;
  expected: number;
  exported: number;
  missing: number;
  duplicated: number;
  extra: number;
  /** Records exported in an older version than the last Graph served by the horizon. */
  stale: number;
  /** Expected records first served after the window's lag. */
  late: number;
  /** Late records missing from the files (part of `missing`). */
  lateMissing: number;
  /** Records Graph first served after the window's horizon (not expected). */
  afterHorizon: number;
}

export interface Verification {
  streams: StreamReport[];
  manifestsVerified: number;
  filesVerified: number;
  /** Files whose bytes do not match the manifest's SHA-256 or size, or whose manifest disagrees with the job row. */
  hashMismatches: string[];
  /** Files whose record count disagrees with the window's JSONL records (a CSV with a doubled or missing block). */
  countMismatches: string[];
  /**
   * Jobs not settled when the run ended, queued, running, or failed with an automatic retry still due:
   * `jobId:status:lastErrorCode: message (checkpoint, invocations)`; and finished windows whose re-check was due but
   * never ran (`jobId:status: re-check due …`).
   */
  unfinishedJobs: string[];
  /** Windows whose job ended without an export (failed, lost to retention, …): `jobId:status:code: message`. */
  lostWindows: string[];
  /** Parts of [start, end) not covered by exactly one window. */
  gaps: string[];
  /** The first few records in error: `kind jobId id`. */
  samples: string[];
  /** The job that took the most invocations: a window that makes no progress shows here. */
  busiestJob: string;
  /** What the product did after the first export of each window, summed over the jobs. */
  passes: JobPasses;
}

export interface JobPasses {
  /** Re-check passes started, and the records they found added or changed (`lateRecordsFound`). */
  rechecks: number;
  lateRecordsFound: number;
  /** Windows served by a later revision than their first; revisions kept beside the served one (notice RevisionsKept). */
  revisedWindows: number;
  keptRevisions: number;
  /** Automatic retries of failed jobs by the planner, and jobs that needed at least one. */
  autoRetries: number;
  retriedJobs: number;
}

export interface VerifyOptions {
  range: { start: number; end: number };
  /** The run's final clock. */
  asOf: number;
  /** Hours after a window's end by which everything Graph served for it must be exported. */
  settleHours: number;
  lagMinutes: (stream: StreamId) => number;
  /** The streams the run exported (default: all six). */
  streams?: readonly StreamId[];
  /** Windows whose re-check was due when the run ended but never ran (reported as unfinished). */
  rechecksNeverRun?: readonly string[];
}

/** Exactly once, every window finished and exported, every file as its manifest says. */
export function isExact(v: Verification): boolean {
  return (
    v.streams.every((s) => s.missing === 0 && s.duplicated === 0 && s.extra === 0 && s.stale === 0) &&
    [v.hashMismatches, v.countMismatches, v.unfinishedJobs, v.lostWindows, v.gaps].every((list) => list.length === 0)
  );
}

export async function verifyExport(runtime: Runtime, sim: SimulatorHandle, options: VerifyOptions): Promise<Verification> {
  const { range } = options;
  const jobs = await runtime.jobs.listAll({ kind: 'scheduled' });
  const result: Verification = {
    streams: [], manifestsVerified: 0, filesVerified: 0, hashMismatches: [], countMismatches: [], unfinishedJobs: [], lostWindows: [], gaps: [], samples: [], busiestJob: '',
    passes: { rechecks: 0, lateRecordsFound: 0, revisedWindows: 0, keptRevisions: 0, autoRetries: 0, retriedJobs: 0 },
  };
  result.unfinishedJobs.push(...(options.rechecksNeverRun ?? []));
  const busiest = [...jobs].sort((a, b) => b.invocations - a.invocations)[0];
  if (busiest) result.busiestJob = `${busiest.jobId}: ${busiest.invocations} invocations, ${busiest.continuations} continuations, status ${busiest.status}`;
  for (const job of jobs) {
    const p = result.passes;
    p.rechecks += job.rechecks ?? 0;
    p.lateRecordsFound += job.lateRecordsFound ?? 0;
    if ((job.result?.revision ?? 1) > 1) p.revisedWindows++;
    p.keptRevisions += (job.revisions ?? []).filter((r) => r.role === 'kept').length;
    p.autoRetries += job.autoRetries ?? 0;
    if (job.autoRetries) p.retriedJobs++;
    const code = job.lastError?.code ?? '';
    if (job.status === 'failed' && job.retryAt) result.unfinishedJobs.push(`${job.jobId}:failed:${code}: awaiting automatic retry ${(job.autoRetries ?? 0) + 1} at ${job.retryAt}: ${job.lastError?.message.slice(0, 200) ?? ''}`);
    else if (!isTerminal(job.status)) result.unfinishedJobs.push(`${job.jobId}:${job.status}:${code}: ${job.lastError?.message.slice(0, 200) ?? ''} (cursor ${job.checkpoint?.cursor ?? 'none'}, phase ${job.checkpoint?.phase ?? 'none'}, ${job.invocations} invocations, ${job.continuations} continuations)`);
    else if (job.status !== 'succeeded' && job.status !== 'empty') result.lostWindows.push(`${job.jobId}:${job.status}:${code}: ${job.lastError?.message ?? ''}`);
  }
  for (const stream of options.streams ?? STREAM_IDS) {
    const own = jobs
      .filter((j) => j.stream === stream && Date.parse(j.windowStart) < range.end)
      .sort((a, b) => a.windowStart.localeCompare(b.windowStart));
    let covered = range.start;
    for (const job of own) {
      const [s, e] = [Date.parse(job.windowStart), Date.parse(job.windowEnd)];
      if (s !== covered) result.gaps.push(`${stream}: ${new Date(covered).toISOString()} → ${job.windowStart}`);
      covered = Math.max(covered, e);
    }
    if (covered !== range.end) result.gaps.push(`${stream}: covered up to ${new Date(covered).toISOString()}, not ${new Date(range.end).toISOString()}`);

    const report: StreamReport = { stream, windows: own.length, expected: 0, exported: 0, missing: 0, duplicated: 0, extra: 0, stale: 0, late: 0, lateMissing: 0, afterHorizon: 0 };
    const seen = new Map<string, number>();
    for (const job of own) {
      const end = Date.parse(job.windowEnd);
      const at = (asOf: number) => ({ stream, start: job.windowStart, end: job.windowEnd, asOf: Math.min(asOf, options.asOf) });
      const horizon = end + options.settleHours * 3600_000;
      // Last version by the horizon, as Graph serializes it (the JSONL line of a faithful export is the same text).
      const expected = new Map<string, string>();
      for (const record of sim.expectedRecords(at(horizon))) expected.set(record.id as string, JSON.stringify(record));
      const everServed = new Set(sim.groundTruthIds(at(options.asOf)));
      const onTime = new Set(sim.groundTruthIds(at(end + options.lagMinutes(stream) * 60_000)));
      report.expected += expected.size;
      for (const id of everServed) if (!expected.has(id)) report.afterHorizon++;
      // Built only when an exported record is not the version of the horizon: it may be a newer one.
      let newest: Map<string, string> | undefined;
      const newestVersion = (id: string): string | undefined => {
        newest ??= new Map([...sim.expectedRecords(at(options.asOf))].map((r) => [r.id as string, JSON.stringify(r)]));
        return newest.get(id);
      };

      const exported = await readWindow(runtime, job, result);
      const inWindow = new Set<string>();
      for (const [id, line] of exported) {
        seen.set(id, (seen.get(id) ?? 0) + 1);
        inWindow.add(id);
        const want = expected.get(id);
        if (!everServed.has(id)) {
          report.extra++;
          sample(result, 'extra', job, id);
        } else if (want !== undefined && line !== want && !sameContent(line, want) && !sameContent(line, newestVersion(id))) {
          report.stale++;
          sample(result, 'stale', job, id);
        }
      }
      for (const id of expected.keys()) {
        const late = !onTime.has(id);
        if (late) report.late++;
        if (!inWindow.has(id)) {
          report.missing++;
          if (late) report.lateMissing++;
          sample(result, late ? 'missing (late)' : 'missing', job, id);
        }
      }
    }
    for (const count of seen.values()) {
      report.exported += count;
      if (count > 1) report.duplicated++;
    }
    result.streams.push(report);
  }
  return result;
}

/** Equal records whatever their key order. */
function sameContent(line: string, other: string | undefined): boolean {
  return other !== undefined && canonicalJson(JSON.parse(line)) === canonicalJson(JSON.parse(other));
}

function sample(result: Verification, kind: string, job: ExportJob, id: string): void {
  if (result.samples.length < 20) result.samples.push(`${kind} ${job.jobId} ${id}`);
}

/** The records of a window's JSONL file as [id, line], in file order (repeats kept); checks every file. */
async function readWindow(runtime: Runtime, job: ExportJob, result: Verification): Promise<Array<[string, string]>> {
  if (!job.result) return [];
  const manifest = JSON.parse((await runtime.container.getBlobClient(job.result.manifestBlob).downloadToBuffer()).toString('utf8')) as Manifest;
  if (JSON.stringify(manifest.files) !== JSON.stringify(job.result.files)) result.hashMismatches.push(`${job.result.manifestBlob}: files differ from the job row`);
  const records: Array<[string, string]> = [];
  let jsonlSeen = false;
  for (const file of manifest.files) {
    const data = await runtime.container.getBlobClient(file.blobName).downloadToBuffer();
    result.filesVerified++;
    if (sha256(data) !== file.sha256 || data.length !== file.bytes) result.hashMismatches.push(file.blobName);
    if (file.key.startsWith('jsonl') && !jsonlSeen) {
      jsonlSeen = true;
      const text = (file.gzip ? gunzipSync(data) : data).toString('utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        records.push([(JSON.parse(line) as { id: string }).id, line]);
      }
    }
  }
  if (!jsonlSeen) throw new Error(`${job.jobId}: the chaos run needs a JSONL format to read records back`);
  for (const file of manifest.files) {
    if (file.key.startsWith('csv')) {
      const rows = parseCsv(await runtime.container.getBlobClient(file.blobName).downloadToBuffer(), file.gzip).length - 1;
      if (rows !== file.rows) result.countMismatches.push(`${file.blobName}: ${rows} CSV rows, manifest says ${file.rows}`);
    }
    if (file.records !== records.length) result.countMismatches.push(`${file.blobName}: ${file.records} records, JSONL has ${records.length}`);
  }
  result.manifestsVerified++;
  return records;
}
