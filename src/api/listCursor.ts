/**
 * The list cursor handed to callers: the table's continuation position (partition and row key) as base64url JSON.
 * A cursor coming back is decoded and checked field by field before it reaches the table client, whose own
 * decoder throws on anything malformed. A cursor only says where the next page starts, so a forged but
 * well-formed one reveals nothing the caller could not list anyway.
 */
import { z } from 'zod';
import { ApiError } from './http';

const MAX_CURSOR_LENGTH = 2000;
/** Table keys: at most 1 KiB, no `/ \ # ?` and no control characters (Azure Table key rules). */
const tableKey = z.string().min(1).max(1024).regex(/^[^/\\#?\p{Cc}]+$/u);
const positionSchema = z.strictObject({ nextPartitionKey: tableKey, nextRowKey: tableKey.optional() });

/** The cursor for a page's continuation token (the table client's own encoding), or undefined at the end. */
export function encodeCursor(continuationToken: string | undefined): string | undefined {
  if (!continuationToken) return undefined;
  const position = positionSchema.parse(JSON.parse(Buffer.from(continuationToken, 'base64').toString('utf8')));
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** The continuation token for a cursor from a caller; 400 `InvalidParameter` when it is not one this API issued. */
export function decodeCursor(cursor: string): string {
  const invalid = () => new ApiError(400, 'InvalidParameter', 'Query parameter "cursor" must be a nextCursor returned by GET /api/exports, unchanged.');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cursor, 'base64url')));
  } catch {
    throw invalid();
  }
  const position = positionSchema.safeParse(value);
  if (!position.success) throw invalid();
  return Buffer.from(JSON.stringify(position.data), 'utf8').toString('base64');
}
