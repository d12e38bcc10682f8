/**
 * Writes what an HTTP handler returned (HttpResponseInit or HttpResponse) to a Node response: status,
 * headers, cookies, and a JSON, text, byte or streamed body. Nothing returned means 204, as on the host.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Cookie, HttpResponse, HttpResponseInit } from '@azure/functions';

export class InvalidHttpResultError extends Error {
  constructor() {
    super('The HTTP response must be an object with optional properties "body", "jsonBody", "status", "headers", and "cookies".');
    this.name = 'InvalidHttpResultError';
  }
}

export async function writeHandlerResult(res: ServerResponse, result: unknown, method: string): Promise<void> {
  if (result === undefined || result === null) {
    res.statusCode = 204;
    res.end();
    return;
  }
  if (typeof result !== 'object') throw new InvalidHttpResultError();
  const init = result as HttpResponseInit;
  // A Node stream body is piped as it is; everything else goes through the library's own HttpResponse.
  const nodeStream = !(result instanceof HttpResponse) && init.body instanceof Readable && init.jsonBody === undefined ? init.body : undefined;
  const response = result instanceof HttpResponse ? result : new HttpResponse(nodeStream ? { ...init, body: undefined } : init);

  res.statusCode = response.status;
  const setCookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  setCookies.push(...response.cookies.map(serializeCookie));
  if (setCookies.length > 0) res.setHeader('set-cookie', setCookies);

  if (method === 'HEAD') {
    nodeStream?.destroy();
    res.end();
  } else if (nodeStream) {
    await pipeline(nodeStream, res);
  } else if (response.body) {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), res);
  } else {
    res.end();
  }
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${Math.trunc(cookie.maxAge)}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
