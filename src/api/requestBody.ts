/**
 * Request bodies, strictly: a JSON route reads its body through `readJsonBody` (media type, size, UTF-8, JSON,
 * then the route's zod schema); a route that takes no body calls `refuseBody`. Each failure is a 4xx with a stable
 * code and says what the route expects.
 */
import { z } from 'zod';
import { ApiError, ApiRequest, echo } from './http';

/** Default cap on a JSON body: far above any request the API takes, far below what would cost memory. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export interface JsonBodyOptions {
  maxBytes?: number;
  /** What the body looks like, for messages (e.g. `{"stream": "audit", "from": "…", "to": "…"}`). */
  example?: string;
}

/** Reads and validates a JSON body. An empty body is parsed as `{}` when the schema allows it. */
export async function readJsonBody<T extends z.ZodType>(request: ApiRequest, schema: T, options: JsonBodyOptions = {}): Promise<z.infer<T>> {
  const maxBytes = options.maxBytes ?? MAX_JSON_BODY_BYTES;
  const hint = options.example ? ` Expected a JSON object such as ${options.example}.` : '';
  const bytes = await request.body();
  if (bytes.length > maxBytes) {
    throw new ApiError(413, 'PayloadTooLarge', `The request body is ${bytes.length} bytes; this route takes at most ${maxBytes}.`);
  }
  let value: unknown = {};
  if (bytes.length > 0) {
    requireJsonMediaType(request);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new ApiError(400, 'InvalidBody', `The request body is not valid UTF-8.${hint}`);
    }
    if (text.trim() !== '') {
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        throw new ApiError(400, 'InvalidBody', `The request body is not valid JSON.${hint}`);
      }
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'InvalidBody', `The request body must be a JSON object.${hint}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? `"${issue.path.map(String).join('.').slice(0, 100)}"` : 'the body';
    throw new ApiError(400, 'InvalidBody', `In the request body, ${path} ${issue?.message ?? 'is invalid'}.${hint}`);
  }
  return result.data;
}

/** For routes that take no body: nothing, whitespace or an empty JSON object `{}` passes; anything else is a 400. */
export async function refuseBody(request: ApiRequest): Promise<void> {
  const bytes = await request.body();
  if (bytes.length === 0) return;
  if (bytes.length <= 64) {
    const text = bytes.toString('latin1').trim();
    if (text === '' || /^\{\s*\}$/.test(text)) return;
  }
  throw new ApiError(400, 'InvalidBody', `${request.method} on this route takes no request body; send none.`);
}

function requireJsonMediaType(request: ApiRequest): void {
  const type = (request.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(415, 'UnsupportedMediaType', `Send the body as JSON with "Content-Type: application/json"${type ? `, not ${echo(type, 60)}` : ''}.`);
  }
}
