/**
 * Checks a command-line export folder against the Graph simulator's ground truth: each manifest's files read from
 * disk, their size and SHA-256 compared with the manifest, the records of every JSON file compared id by id with
 * the simulator's ground truth (exactly once each), CSV row counts compared with the manifest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../src/export/manifest';
import type { SimulatorHandle } from '../../dev/graph-simulator';
import { formatFamily, parseCsv, parseRecords, sha256 } from './exportVerifier';

export interface FolderCheck {
  stream: string;
  expected: number;
  exported: number;
  missing: string[];
  duplicated: string[];
  extra: string[];
  hashMismatches: string[];
  csvProblems: string[];
}

export async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...(await listFiles(root, name)));
    else names.push(name);
  }
  return names.sort();
}

export async function readManifests(root: string): Promise<Manifest[]> {
  const names = (await listFiles(root)).filter((n) => n.endsWith('.manifest.json'));
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(root, n), 'utf8')) as Manifest));
}

export async function checkFolder(root: string, sim: SimulatorHandle): Promise<FolderCheck[]> {
  const checks: FolderCheck[] = [];
  for (const manifest of await readManifests(root)) {
    const truth = sim.groundTruthIds({ stream: manifest.stream as never, start: manifest.window.start, end: manifest.window.end });
    const check: FolderCheck = { stream: manifest.stream, expected: truth.length, exported: manifest.totals.records, missing: [], duplicated: [], extra: [], hashMismatches: [], csvProblems: [] };
    const truthSet = new Set(truth);
    for (const file of manifest.files) {
      const data = await readFile(join(root, file.blobName));
      if (sha256(data) !== file.sha256 || data.length !== file.bytes) check.hashMismatches.push(file.blobName);
      if (formatFamily(file.key) === 'csv') {
        const rows = parseCsv(data, file.gzip);
        if (rows.length - 1 !== file.rows) check.csvProblems.push(`${file.blobName}: ${rows.length - 1} rows, manifest says ${file.rows}`);
        continue;
      }
      const seen = new Set<string>();
      for (const record of parseRecords(data, file.key, file.gzip)) {
        const id = record.id as string;
        if (seen.has(id)) check.duplicated.push(`${file.key}:${id}`);
        seen.add(id);
        if (!truthSet.has(id)) check.extra.push(`${file.key}:${id}`);
      }
      for (const id of truth) if (!seen.has(id)) check.missing.push(`${file.key}:${id}`);
    }
    checks.push(check);
  }
  return checks.sort((a, b) => a.stream.localeCompare(b.stream));
}

/** The check without the counts, for a single `toEqual` that shows every problem at once. */
export function folderProblems(check: FolderCheck): Record<string, unknown> {
  const problems: Record<string, unknown> = { stream: check.stream };
  for (const key of ['missing', 'duplicated', 'extra', 'hashMismatches', 'csvProblems'] as const) if (check[key].length) problems[key] = check[key].slice(0, 5);
  if (check.expected !== check.exported) problems.count = `${check.exported} exported, ${check.expected} expected`;
  return problems;
}
