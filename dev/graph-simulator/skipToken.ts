/**
 * Opaque `$skiptoken`: the query and the position after the last record served, base64url JSON plus an
 * HMAC keyed by the seed, so a tampered or foreign token is rejected. Tokens carry their issue time so
 * they can expire (Graph documents no lifetime; reference §2).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GraphError } from './graphError';

export interface PositionKey {
  off: number;
  s: number;
  i: number;
  p: number;
  v: number;
}

export interface SkipTokenPayload {
  endpoint: string;
  version: string;
  filter: string;
  orderby: string;
  top: number;
  select: string;
  slice: number;
  /** Last entry served in `slice`; absent means start of the slice. */
  key?: PositionKey;
  issuedAtMs: number;
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', `skiptoken:${secret}`).update(body).digest('base64url').slice(0, 22);
}

export function encodeSkipToken(payload: SkipTokenPayload, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

export function decodeSkipToken(token: string, secret: string, ttlMs: number, realNowMs: number): SkipTokenPayload {
  const [body, signature, extra] = token.split('.');
  const expected = body ? mac(secret, body) : '';
  if (!body || !signature || extra !== undefined || signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    throw new GraphError(400, 'BadRequest', 'Invalid Skip Token, skip token is null');
  }
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SkipTokenPayload;
  if (realNowMs - payload.issuedAtMs > ttlMs) throw new GraphError(400, 'BadRequest', '$skiptoken has expired');
  return payload;
}
