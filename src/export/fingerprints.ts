/**
 * Per-record fingerprints: a hash of the record's id and a hash of its content (the JSON Graph sent). Each revision
 * stores them in a `<base>.fingerprints` blob, one `<idHash> <contentHash>` line per record, so a later pass can tell
 * which records are new, which changed and which are missing without re-reading the revision's data files.
 */
import { hash } from 'node:crypto';
import type { ExportFileStore } from '../storage/fileStore';
import { recordJson } from '../formats';
import type { RecordBatch, TextSink } from '../formats/types';
import type { RevisionComparison } from './job';

export interface Fingerprint {
  /** idHash of the record's id. */
  id: string;
  /** 96 bits of the SHA-256 of the record's JSON, base64url. */
  content: string;
  /** 128 bits of the same hash, for the content digest. */
  bits: bigint;
  /** 128 bits of the SHA-256 of the id (the hash `id` shows 96 bits of), for the id-set digest (idSetDigest.ts). */
  idBits: bigint;
}

const MOD = 1n << 128n;

/**
 * Each record's fingerprint. The content hashed is the batch's UTF-8 JSON of the record (what the JSON formats write),
 * so no record is stringified or encoded again; the id is hashed once for the fingerprint (idHash's form) and the
 * id-set digest.
 */
export function fingerprints(batch: RecordBatch): Fingerprint[] {
  const { records } = batch;
  const out = new Array<Fingerprint>(records.length);
  for (let i = 0; i < records.length; i++) {
    const idHash = hash('sha256', records[i].id, 'buffer');
    const content = hash('sha256', recordJson(batch, i), 'buffer');
    out[i] = { id: idHash.toString('base64url', 0, 12), content: content.toString('base64url', 0, 12), bits: first128Bits(content), idBits: first128Bits(idHash) };
  }
  return out;
}

function first128Bits(digest: Buffer): bigint {
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/** One `<idHash> <contentHash>` line per record. */
export function writeFingerprintLines(prints: readonly Fingerprint[], out: TextSink): void {
  for (const p of prints) out.write(`${p.id} ${p.content}\n`);
}

/**
 * The order-independent digest of the records' content (their JSON includes the id): the sum, modulo 2^128, of each
 * record's content hash. Equal digests mean the same records with the same content.
 */
export function addToContentDigest(digest: string, prints: readonly Fingerprint[]): string {
  let sum = BigInt(`0x${digest}`);
  for (const p of prints) sum += p.bits;
  return (sum % MOD).toString(16).padStart(32, '0');
}

export async function loadFingerprints(store: ExportFileStore, blobName: string): Promise<Map<string, string>> {
  const text = (await store.read(blobName)).toString('utf8');
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const space = line.indexOf(' ');
    map.set(line.slice(0, space), line.slice(space + 1));
  }
  return map;
}

/** Adds a batch to a running comparison with the previous revision's fingerprints. */
export function compareWith(previous: ReadonlyMap<string, string>, prints: readonly Fingerprint[], into: RevisionComparison): void {
  for (const p of prints) {
    const before = previous.get(p.id);
    if (before === undefined) into.added++;
    else {
      into.matched++;
      if (before !== p.content) into.changed++;
    }
  }
}
