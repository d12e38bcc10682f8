/**
 * An order-independent digest of a window's set of record ids: the sum, modulo 2^128, of a hash of each id.
 * Kept in the checkpoint as records are written, so a re-check pass can tell in constant memory whether Graph
 * now returns a different set of records than the revision already exported.
 */
import { createHash } from 'node:crypto';

const MOD = 1n << 128n;

export const EMPTY_ID_DIGEST = '0'.repeat(32);

export function addIds(digest: string, ids: Iterable<string>): string {
  const bits: bigint[] = [];
  for (const id of ids) {
    const hash = createHash('sha256').update(id).digest();
    bits.push((hash.readBigUInt64BE(0) << 64n) | hash.readBigUInt64BE(8));
  }
  return addIdHashes(digest, bits);
}

/** The same, for ids whose 128-bit hashes are already known (the session's fingerprints carry them). */
export function addIdHashes(digest: string, idBits: Iterable<bigint>): string {
  let sum = BigInt(`0x${digest}`);
  for (const bits of idBits) sum += bits;
  return (sum % MOD).toString(16).padStart(32, '0');
}
