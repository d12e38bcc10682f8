/**
 * Checks an exported window against the Graph simulator's ground truth: every file downloaded, its SHA-256
 * compared with the manifest, every JSON record compared with what the simulator served, every CSV parsed.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import type { ExportJob } from '../../src/export/job';
import type { Manifest } from '../../src/export/manifest';
import type { SimulatorHandle } from '../../dev/graph-simulator';

export interface WindowCheck {
  jobId: string;
  stream: string;
  expected: number;
  missing: string[];
  duplicated: string[];
  extra: string[];
  /** Records whose content differs from the simulator's last visible version. */
  changed: string[];
  hashMismatches: string[];
  csvProblems: string[];
}

export async function downloadBlob(container: ContainerClient, blobName: string): Promise<Buffer> {
  return container.getBlobClient(blobName).downloadToBuffer();
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parses a JSONL (optionally gzip) or JSON-array file into records. */
export function formatFamily(key: string): 'jsonl' | 'json' | 'csv' | 'diag' {
  return key.startsWith('jsonl') ? 'jsonl' : key.startsWith('json') ? 'json' : key.startsWith('diag') ? 'diag' : 'csv';
}

export function parseRecords(data: Buffer, key: string, gzip: boolean): Array<Record<string, unknown>> {
  const text = (gzip ? gunzipSync(data) : data).toString('utf8');
  if (formatFamily(key) === 'json') return JSON.parse(text) as Array<Record<string, unknown>>;
  const lines = text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>);
  // A diagnostic-settings record carries the Graph record in `properties`.
  return formatFamily(key) === 'diag' ? lines.map((line) => line.properties as Record<string, unknown>) : lines;
}

export function parseCsv(data: Buffer, gzip: boolean): string[][] {
  const text = (gzip ? gunzipSync(data) : data).toString('utf8');
  return parse(text, { bom: true, relax_column_count: false }) as string[][];
}

/**
 * `matching`: for a filtered (on-demand) export, the records of the ground truth it must hold, decided by the test
 * itself from the simulator's records (never by the product's filter code).
 */
export async function checkWindow(
  job: ExportJob,
  container: ContainerClient,
  sim: SimulatorHandle,
  asOf: number,
  matching?: (record: Record<string, unknown>) => boolean,
): Promise<WindowCheck> {
  const check: WindowCheck = { jobId: job.jobId, stream: job.stream, expected: 0, missing: [], duplicated: [], extra: [], changed: [], hashMismatches: [], csvProblems: [] };
  const query = { stream: job.stream, start: job.windowStart, end: job.windowEnd, asOf };
  const truth = matching ? [...sim.expectedRecords(query)].filter(matching).map((record) => record.id as string) : sim.groundTruthIds(query);
  check.expected = truth.length;
  if (!job.result) {
    if (truth.length > 0) check.missing.push(...truth);
    return check;
  }
  const manifest = JSON.parse((await downloadBlob(container, job.result.manifestBlob)).toString('utf8')) as Manifest;
  const expectedById = new Map<string, Record<string, unknown>>();
  for (const record of sim.expectedRecords(query)) if (!matching || matching(record)) expectedById.set(record.id as string, record);
  let jsonRecords: Array<Record<string, unknown>> | undefined;
  const mainCsv: string[][][] = [];
  for (const file of manifest.files) {
    const data = await downloadBlob(container, file.blobName);
    if (sha256(data) !== file.sha256 || data.length !== file.bytes) check.hashMismatches.push(file.blobName);
    if (formatFamily(file.key) !== 'csv') {
      const seen = new Set<string>();
      const records = parseRecords(data, file.key, file.gzip);
      jsonRecords ??= records;
      for (const record of records) {
        const id = record.id as string;
        if (seen.has(id)) check.duplicated.push(id);
        seen.add(id);
        const expected = expectedById.get(id);
        if (!expected) check.extra.push(id);
        else if (JSON.stringify(canonical(expected)) !== JSON.stringify(canonical(record))) check.changed.push(id);
      }
      for (const id of truth) if (!seen.has(id)) check.missing.push(id);
    } else {
      const rows = parseCsv(data, file.gzip);
      if (rows.length - 1 !== file.rows) check.csvProblems.push(`${file.blobName}: ${rows.length - 1} rows, manifest says ${file.rows}`);
      const width = rows[0]?.length ?? 0;
      if (rows.some((r) => r.length !== width)) check.csvProblems.push(`${file.blobName}: ragged rows`);
      if (file.key === 'csv' || file.key === 'csv-gz') mainCsv.push(rows);
    }
  }
  if (jsonRecords) for (const rows of mainCsv) check.csvProblems.push(...compareCsvWithJson(rows, jsonRecords));
  return check;
}

/** Columns whose cells must carry the record's value intact (commas, quotes, newlines, non-ASCII included). */
const VALUE_COLUMNS: Record<string, string> = {
  'Request ID': 'id',
  User: 'userDisplayName',
  Activity: 'activityDisplayName',
  CorrelationId: 'correlationId',
  'Change ID': 'changeId',
};

/** The main CSV file has one row per record, in the JSON file's order: compare the value columns cell by cell. */
function compareCsvWithJson(rows: string[][], records: Array<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const [header, ...data] = rows;
  if (data.length !== records.length) return [`main CSV has ${data.length} rows for ${records.length} records`];
  for (const [column, property] of Object.entries(VALUE_COLUMNS)) {
    const index = header.indexOf(column);
    if (index < 0) continue;
    data.forEach((row, i) => {
      const value = records[i][property];
      const expected = value === null || value === undefined ? '' : neutralized(String(value));
      if (row[index] !== expected) problems.push(`row ${i + 1} ${column}: ${JSON.stringify(row[index])} != ${JSON.stringify(expected)}`);
    });
  }
  return problems;
}

function neutralized(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The job id plus only the lists that are not empty (at most 5 entries each): `{ jobId }` when clean. */
export function problemsOf(check: WindowCheck): Record<string, unknown> {
  const out: Record<string, unknown> = { jobId: check.jobId };
  for (const key of ['missing', 'duplicated', 'extra', 'changed', 'hashMismatches', 'csvProblems'] as const) {
    if (check[key].length > 0) out[key] = check[key].slice(0, 5);
  }
  return out;
}

export function isClean(check: WindowCheck): boolean {
  return [check.missing, check.duplicated, check.extra, check.changed, check.hashMismatches, check.csvProblems].every((list) => list.length === 0);
}

/** A record's JSON with keys sorted at every level, hashed: equal for equal content whatever the key order. */
export function canonicalJson(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(canonical(value))).digest('base64');
}

/** Deep structure with sorted keys: JSON key order is not significant. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
