/**
 * After a chaos run: every window of every stream compared with the simulator's ground truth, every manifest read
 * back and each file it lists downloaded and hashed.
 *
 * Ground truth is taken "as of" the run's final clock. That equals the truth each window should have had when it was
 * exported because every stream's lag (120 min) exceeds the latest a record becomes visible (late records up to
 * 90 min, a republished version at most 10 min after that): nothing of a window appears after it is exported.
 */
import { gunzipSync } from 'node:zlib';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import type { Runtime } from '../../src/app/runtime';
import type { ExportJob } from '../../src/export/job';
import type { Manifest } from '../../src/export/manifest';
import { STREAM_IDS, StreamId } from '../../src/streams/catalog';
import { parseCsv, sha256 } from '../support/exportVerifier';

export interface StreamReport {
  stream: StreamId;
  windows: number;
  expected: number;
  exported: number;
  missing: number;
  duplicated: number;
  extra: number;
}

export interface Verification {
  streams: StreamReport[];
  manifestsVerified: number;
  filesVerified: number;
  /** Files whose bytes do not match the manifest's SHA-256 or size, or whose manifest disagrees with the job row. */
  hashMismatches: string[];
  /** Files whose record count disagrees with the window's JSONL records (a CSV with a doubled or missing block). */
  countMismatches: string[];
  unfinishedJobs: string[];
  /** Parts of [start, end) not covered by exactly one window. */
  gaps: string[];
}

export async function verifyExport(runtime: Runtime, sim: SimulatorHandle, range: { start: number; end: number }, asOf: number): Promise<Verification> {
  const jobs = await runtime.jobs.listAll();
  const result: Verification = { streams: [], manifestsVerified: 0, filesVerified: 0, hashMismatches: [], countMismatches: [], unfinishedJobs: [], gaps: [] };
  result.unfinishedJobs = jobs.filter((j) => j.status !== 'succeeded' && j.status !== 'empty').map((j) => `${j.jobId}:${j.status}:${j.lastError?.code ?? ''}`);
  for (const stream of STREAM_IDS) {
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

    const report: StreamReport = { stream, windows: own.length, expected: 0, exported: 0, missing: 0, duplicated: 0, extra: 0 };
    const seen = new Map<string, number>();
    for (const job of own) {
      const truth = sim.groundTruthIds({ stream, start: job.windowStart, end: job.windowEnd, asOf });
      report.expected += truth.length;
      const inWindow = await readWindow(runtime, job, result);
      for (const id of inWindow) seen.set(id, (seen.get(id) ?? 0) + 1);
      const truthSet = new Set(truth);
      const exported = new Set(inWindow);
      for (const id of truth) if (!exported.has(id)) report.missing++;
      for (const id of exported) if (!truthSet.has(id)) report.extra++;
    }
    for (const count of seen.values()) {
      report.exported += count;
      if (count > 1) report.duplicated++;
    }
    result.streams.push(report);
  }
  return result;
}

/** The ids in a window's JSONL file, in file order (repeats kept); checks the manifest and every file's hash. */
async function readWindow(runtime: Runtime, job: ExportJob, result: Verification): Promise<string[]> {
  if (!job.result) return [];
  const manifest = JSON.parse((await runtime.container.getBlobClient(job.result.manifestBlob).downloadToBuffer()).toString('utf8')) as Manifest;
  if (JSON.stringify(manifest.files) !== JSON.stringify(job.result.files)) result.hashMismatches.push(`${job.result.manifestBlob}: files differ from the job row`);
  const ids: string[] = [];
  let jsonlSeen = false;
  for (const file of manifest.files) {
    const data = await runtime.container.getBlobClient(file.blobName).downloadToBuffer();
    result.filesVerified++;
    if (sha256(data) !== file.sha256 || data.length !== file.bytes) result.hashMismatches.push(file.blobName);
    if (file.key.startsWith('jsonl') && !jsonlSeen) {
      jsonlSeen = true;
      const text = (file.gzip ? gunzipSync(data) : data).toString('utf8');
      for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: string }).id);
    }
  }
  if (!jsonlSeen) throw new Error(`${job.jobId}: the chaos run needs a JSONL format to read ids back`);
  for (const file of manifest.files) {
    if (file.key.startsWith('csv')) {
      const rows = parseCsv(await runtime.container.getBlobClient(file.blobName).downloadToBuffer(), file.gzip).length - 1;
      if (rows !== file.rows) result.countMismatches.push(`${file.blobName}: ${rows} CSV rows, manifest says ${file.rows}`);
    }
    if (file.records !== ids.length) result.countMismatches.push(`${file.blobName}: ${file.records} records, JSONL has ${ids.length}`);
  }
  result.manifestsVerified++;
  return ids;
}

