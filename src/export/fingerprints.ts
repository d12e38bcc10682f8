/**
 * Per-record fingerprints: a hash of the record's id and a hash of its content (the JSON Graph sent). Each revision
 * stores them in a `<base>.fingerprints` blob, one `<idHash> <contentHash>` line per record, so a later pass can tell
 * which records are new, which changed and which are missing without re-reading the revision's data files.
 */
import { createHash } from 'node:crypto';
import type { ExportFileStore } from '../storage/fileStore';
import type { GraphRecord } from '../formats/types';
import type { RevisionComparison } from './job';
import { idHash } from './recordSieve';

export interface Fingerprint {
  /** idHash of the record's id. */
  id: string;
  /** 96 bits of the SHA-256 of the record's JSON, base64url. */
  content: string;
  /** 128 bits of the same hash, for the content digest. */
  bits: bigint;
}

const MOD = 1n << 128n;

export function fingerprint(record: GraphRecord): Fingerprint {
  const hash = createHash('sha256').update(JSON.stringify(record)).digest();
  return { id: idHash(record.id), content: hash.toString('base64url', 0, 12), bits: (hash.readBigUInt64BE(0) << 64n) | hash.readBigUInt64BE(8) };
}

export function fingerprintLines(prints: readonly Fingerprint[]): string {
  let text = '';
  for (const p of prints) text += `${p.id} ${p.content}\n`;
  return text;
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
