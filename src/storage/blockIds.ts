/**
 * Block ids for staged blobs. Put Block requires every id of one blob to have the same length, so the id is
 * a fixed-width ASCII string (`e000001-s000001`) in base64: lease epoch and per-blob sequence number, both
 * below 10^6. Deterministic ids let a retry after a crash overwrite its orphan block instead of adding one.
 */
const LIMIT = 1_000_000;

export function blockId(epoch: number, sequence: number): string {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= LIMIT) {
    throw new RangeError(`block id epoch must be an integer in [0, ${LIMIT}), got ${epoch}`);
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= LIMIT) {
    throw new RangeError(`block id sequence must be an integer in [0, ${LIMIT}), got ${sequence}`);
  }
  const text = `e${String(epoch).padStart(6, '0')}-s${String(sequence).padStart(6, '0')}`;
  return Buffer.from(text, 'ascii').toString('base64');
}
