/**
 * A Table string property holds at most 64 KiB (32K UTF-16 code units), but a job checkpoint can be larger.
 * The JSON is split across numbered properties `${prefix}0..n-1` with `${prefix}Count`; the count is the truth,
 * so leftover chunks from a larger earlier checkpoint are never read (clearChunked empties them).
 */
export const DEFAULT_MAX_CHUNK_CHARS = 30_000;

export function writeChunked(prefix: string, json: string, maxChunkChars = DEFAULT_MAX_CHUNK_CHARS): Record<string, string> {
  if (!Number.isInteger(maxChunkChars) || maxChunkChars < 2) throw new RangeError('maxChunkChars must be an integer >= 2');
  const properties: Record<string, string> = {};
  let count = 0;
  for (let offset = 0; offset < json.length; count++) {
    let end = Math.min(offset + maxChunkChars, json.length);
    // A chunk must not end between the halves of a surrogate pair: each half alone is not valid UTF-16 on the wire.
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    properties[`${prefix}${count}`] = json.slice(offset, end);
    offset = end;
  }
  properties[`${prefix}Count`] = String(count);
  return properties;
}

/** The joined JSON, or undefined when the entity has no chunked value under this prefix. */
export function readChunked(prefix: string, entity: Record<string, unknown>): string | undefined {
  const rawCount = entity[`${prefix}Count`];
  if (rawCount === undefined || rawCount === null) return undefined;
  const count = Number(rawCount);
  if (!Number.isInteger(count) || count < 0) throw new Error(`Property ${prefix}Count is not a chunk count: ${String(rawCount)}`);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const part = entity[`${prefix}${i}`];
    if (typeof part !== 'string') throw new Error(`Property ${prefix}${i} is missing: the chunked value ${prefix} is incomplete`);
    parts.push(part);
  }
  return parts.join('');
}

/**
 * Chunk properties at index >= keep that the entity still holds, emptied, to spread into the update of a
 * checkpoint that shrank. They are set to '' rather than null because Merge cannot remove a property: the
 * Table service keeps a property sent as null (only Replace drops properties). An empty string frees the space.
 */
export function clearChunked(prefix: string, entity: Record<string, unknown>, keep: number): Record<string, string> {
  const cleared: Record<string, string> = {};
  const chunk = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)$`);
  for (const name of Object.keys(entity)) {
    const match = chunk.exec(name);
    if (match && Number(match[1]) >= keep && typeof entity[name] === 'string' && entity[name] !== '') cleared[name] = '';
  }
  return cleared;
}
