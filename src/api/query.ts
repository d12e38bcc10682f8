/**
 * Query strings, strictly: every parameter a route takes is declared in a zod object; an unknown parameter, a
 * parameter given twice and a bad value each get a 400 with a stable code. `code` (the function key, which the
 * Functions host checks before the handler runs) is never read, echoed or carried into a link.
 */
import { z } from 'zod';
import { formatInstant, parseInstant } from '../time/instant';
import { ApiError, echo } from './http';

/** The function key's query parameter: the host's business, never the handler's. */
export const FUNCTION_KEY_PARAMETER = 'code';

/** Parses `query` against `schema` (a z.object of the route's parameters). */
export function parseQuery<T extends z.ZodObject>(schema: T, query: URLSearchParams): z.infer<T> {
  const shape = schema.shape as Record<string, unknown>;
  const raw: Record<string, string> = {};
  for (const [key, value] of query) {
    if (key === FUNCTION_KEY_PARAMETER) continue;
    if (!Object.hasOwn(shape, key)) {
      const allowed = Object.keys(shape);
      throw new ApiError(
        400,
        'UnknownParameter',
        `Unknown query parameter ${echo(key, 50)}; ${allowed.length > 0 ? `this route takes: ${allowed.join(', ')}` : 'this route takes no query parameters'}.`,
      );
    }
    if (Object.hasOwn(raw, key)) {
      throw new ApiError(400, 'DuplicateParameter', `Query parameter "${key}" is given more than once; give it once.`);
    }
    raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(400, 'InvalidParameter', `Query parameter "${String(issue?.path[0] ?? '')}" ${issue?.message ?? 'is invalid'}.`);
  }
  return result.data;
}

/**
 * An ISO 8601 UTC instant (`2026-11-27T10:00:00Z`, optional fraction, or an explicit offset) or a date
 * (`2026-11-27`, meaning its midnight UTC), checked strictly: `2026-02-30` or `T25:00Z` is refused, not rolled over.
 * Yields the 7-digit form the job table compares against.
 */
export const isoInstantParam = z.string().transform((value, ctx) => {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  try {
    return formatInstant(parseInstant(text), 7);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 UTC time such as 2026-11-27T10:00:00Z or a date such as 2026-11-27' });
    return z.NEVER;
  }
});

/** A whole number in [min, max], written as plain decimal digits (no `1e2`, `0x10`, `+5`, spaces or fractions). */
export function integerParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}
