/**
 * One filter value as a caller wrote it, ready to match: `ana@contoso.com` matches equal text, `ana*` matches text
 * that starts with `ana`. Matching ignores case (Unicode lower-casing), the way Graph compares strings on the
 * sign-in and audit endpoints; values are trimmed. Object ids are recognised so a filter can pick Graph's id
 * property instead of a name.
 */

/** Longest filter value accepted, in UTF-16 code units (UPNs are at most 113 characters, names 256). */
export const MAX_FILTER_VALUE_LENGTH = 256;

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface MatchValue {
  /** The value without its trailing `*`, as Graph receives it. */
  text: string;
  /** Lower-cased `text`, what record values are compared with. */
  folded: string;
  /** `*` at the end: match values that start with `text`. */
  prefix: boolean;
  /** `text` is an object id (GUID) and not a prefix. */
  guid: boolean;
}

/** Why a value was refused; the caller names the field. */
export class FilterValueError extends Error {}

/** C0/C1 controls and DEL: no Entra value contains them; they only serve to smuggle bytes into a query. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export function fold(text: string): string {
  return text.toLowerCase();
}

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** Parses a caller's value. `allowPrefix: false` refuses a trailing `*`. */
export function parseMatchValue(raw: unknown, allowPrefix: boolean): MatchValue {
  if (typeof raw !== 'string') throw new FilterValueError('must be a string');
  const trimmed = raw.trim();
  if (trimmed === '') throw new FilterValueError('must not be empty (leave the filter out to export everything)');
  if (trimmed.length > MAX_FILTER_VALUE_LENGTH) throw new FilterValueError(`must be at most ${MAX_FILTER_VALUE_LENGTH} characters`);
  if (hasControlCharacter(trimmed)) throw new FilterValueError('must not contain control characters');
  if (LONE_SURROGATE.test(trimmed)) throw new FilterValueError('must be valid Unicode text');
  const prefix = trimmed.endsWith('*');
  const text = prefix ? trimmed.slice(0, -1) : trimmed;
  if (text.includes('*')) throw new FilterValueError('may use * only once, at the end, for "starts with"');
  if (prefix && !allowPrefix) throw new FilterValueError('must be an exact value here ("starts with" with * is not supported for this filter)');
  if (prefix && text.trim() === '') throw new FilterValueError('needs at least one character before * (leave the filter out to export everything)');
  return { text, folded: fold(text), prefix, guid: !prefix && isGuid(text) };
}

/** Whether a record's value matches: equal, or starting with the value for a prefix, ignoring case. */
export function textMatches(candidate: unknown, value: MatchValue): boolean {
  if (typeof candidate !== 'string') return false;
  const folded = fold(candidate);
  return value.prefix ? folded.startsWith(value.folded) : folded === value.folded;
}

/** The property at `path` of a Graph record (`['initiatedBy', 'user', 'id']`), or undefined. */
export function valueAt(record: unknown, ...path: string[]): unknown {
  let current = record;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
