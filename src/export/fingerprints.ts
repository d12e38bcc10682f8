/**
 * Per-record fingerprints: a hash of the record's id and a hash of its content (the JSON Graph sent). Each revision
 * stores them in a `<base>.fingerprints` blob, one `<idHash> <contentHash>` line per record, so a later pass can tell
 * which records are new, which changed and which are missing without re-reading the revision's data files.
 */
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { GraphRecord } from '../formats/types';
import { addIds } from './idSetDigest';
import type { RevisionComparison } from './job';
import { idHash } from './recordSieve';

export interface Fingerprint {
  id: string;
  content: string;
}

export function fingerprint(record: GraphRecord): Fingerprint {
  return { id: idHash(record.id), content: createHash('sha256').update(JSON.stringify(record)).digest('base64url').slice(0, 16) };
}

export function fingerprintLines(prints: readonly Fingerprint[]): string {
  let text = '';
  for (const p of prints) text += `${p.id} ${p.content}\n`;
  return text;
}

/** The order-independent digest of (id, content) pairs: equal digests mean the same records with the same content. */
export function addToContentDigest(digest: string, prints: readonly Fingerprint[]): string {
  return addIds(digest, prints.map((p) => `${p.id} ${p.content}`));
}

export async function loadFingerprints(container: ContainerClient, blobName: string): Promise<Map<string, string>> {
  const text = (await container.getBlobClient(blobName).downloadToBuffer()).toString('utf8');
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
