/**
 * Reads a JSON request body: `Content-Type: application/json` (any charset parameter but UTF-8 is refused), at most
 * `limitBytes`, valid UTF-8 JSON whose top level is an object. Every refusal is a 400 naming what to fix; a body over
 * the limit is not read further than the limit.
 */
import { ApiError, ApiRequest } from './http';

export async function readJsonObject(request: ApiRequest, limitBytes: number): Promise<Record<string, unknown>> {
  checkContentType(request.header('content-type'));
  const declared = request.header('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request.body?.() ?? []) {
    length += chunk.byteLength;
    if (length > limitBytes) throw tooLarge(limitBytes);
    chunks.push(Buffer.from(chunk));
  }
  if (length === 0) throw new ApiError(400, 'InvalidBody', 'The request has no body; send a JSON object such as {"stream": "audit", "from": "…", "to": "…"}.', 'body');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Buffer.concat(chunks, length));
  } catch {
    throw new ApiError(400, 'InvalidBody', 'The body is not valid UTF-8 text.', 'body');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message.slice(0, 120)}` : '';
    throw new ApiError(400, 'InvalidBody', `The body is not valid JSON${detail}.`, 'body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'InvalidBody', 'The body must be a JSON object such as {"stream": "audit", "from": "…", "to": "…"}.', 'body');
  }
  return value as Record<string, unknown>;
}

function checkContentType(header: string | null): void {
  const [mediaType, ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (mediaType !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    const got = header === null ? 'none' : JSON.stringify(header.slice(0, 100));
    throw new ApiError(400, 'InvalidContentType', `Send the body as JSON with the header Content-Type: application/json (got ${got}).`, 'Content-Type');
  }
}

function tooLarge(limitBytes: number): ApiError {
  return new ApiError(400, 'BodyTooLarge', `The body is larger than ${limitBytes} bytes; an export request is a small JSON object.`, 'body');
}
