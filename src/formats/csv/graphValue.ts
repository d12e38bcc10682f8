/**
 * Safe reads of Graph records, whose shape is only partly known (open types, unknown new properties).
 * Every read narrows `unknown` at once, so a missing or mistyped property becomes an empty cell, never a crash.
 */
import type { CsvCell } from './csvField';

export function member(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** Follows a property path, e.g. `at(record, 'status', 'errorCode')`. */
export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = member(current, key);
  return current;
}

/** An array property, or an empty array when absent or not an array. */
export function listAt(value: unknown, ...keys: string[]): readonly unknown[] {
  const found = at(value, ...keys);
  return Array.isArray(found) ? found : [];
}

/** A scalar as a cell; objects and arrays (unexpected in a scalar column) are written as compact JSON. */
export function cell(value: unknown): CsvCell {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/** Shorthand for a column that shows one Graph property unchanged. */
export function cellAt(value: unknown, ...keys: string[]): CsvCell {
  return cell(at(value, ...keys));
}

/** A string property, or undefined. */
export function textAt(value: unknown, ...keys: string[]): string | undefined {
  const found = at(value, ...keys);
  return typeof found === 'string' ? found : undefined;
}
