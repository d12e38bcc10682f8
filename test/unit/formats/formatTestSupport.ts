/** Shared helpers for the format tests: fixtures, whole-file encoding, CSV parsing. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'csv-parse/sync';
import { encodeRecords } from '../../../src/formats';
import type { FileEncoder, GraphRecord } from '../../../src/formats/types';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'formats');

export function loadRecords(name: string): GraphRecord[] {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as GraphRecord[];
}

export function readSample(name: string): string {
  return readFileSync(join(FIXTURES, 'portal-samples', name), 'utf8');
}

/** Header, the records in batches of the given sizes (the rest in a last batch), footer. */
export function encodeFile(encoder: FileEncoder, records: readonly GraphRecord[], batchSizes: readonly number[] = []): Buffer {
  const parts: Buffer[] = [encoder.header()];
  let written = 0;
  for (const size of [...batchSizes, records.length]) {
    const batch = records.slice(written, written + size);
    parts.push(encodeRecords(encoder, batch, { recordsWritten: written }).bytes);
    written += batch.length;
    if (written >= records.length) break;
  }
  parts.push(encoder.footer({ recordsWritten: written }));
  return Buffer.concat(parts);
}

export function parseCsv(bytes: Buffer): string[][] {
  return parse(bytes, { bom: true }) as string[][];
}

/** Row as an object keyed by header; for duplicate header names the first column wins. */
export function rowObject(header: readonly string[], row: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  header.forEach((name, i) => {
    if (!(name in out)) out[name] = row[i];
  });
  return out;
}
