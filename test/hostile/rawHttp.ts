/**
 * A raw HTTP/1.1 client for hostile requests: sends the bytes exactly as given (fetch and node:http refuse or
 * normalise malformed paths, methods and headers) and reads the whole response, chunked or not.
 */
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Request target, sent as is (no normalisation, no encoding). */
  target: string;
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  /** Sends this Content-Length instead of the body's length (the body is still sent as given). */
  contentLength?: number;
  /** Omits the Host header this client otherwise adds. */
  noHost?: boolean;
  /** The whole request as bytes, ignoring every other field. */
  raw?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function sendRaw(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const bytes = request.raw !== undefined ? Buffer.from(request.raw) : encode(request, `${hostname}:${port}`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // Written, not ended: a half-closed socket makes Node's server drop the answer (the request says Connection: close).
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    socket.setTimeout(60_000, () => socket.destroy(new Error(`no answer to ${request.method} ${request.target.slice(0, 100)}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer and close before it has read a large body: keep what arrived.
      if ((error.code === 'EPIPE' || error.code === 'ECONNRESET') && chunks.length > 0) resolve(parse(Buffer.concat(chunks), request.method));
      else reject(error);
    });
    socket.on('close', () => {
      if (chunks.length === 0) return reject(new Error(`connection closed without an answer to ${request.method} ${request.target.slice(0, 100)}`));
      try {
        resolve(parse(Buffer.concat(chunks), request.method));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

function encode(request: RawRequest, host: string): Buffer {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  if (!request.noHost) lines.push(`Host: ${host}`);
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  const chunked = (request.headers ?? []).some(([n, v]) => n.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v));
  if (!chunked && (body.length > 0 || request.contentLength !== undefined)) lines.push(`Content-Length: ${request.contentLength ?? body.length}`);
  lines.push('Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

function parse(data: Buffer, method: string): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete response: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    headers[name] = headers[name] ? `${headers[name]}, ${line.slice(i + 1).trim()}` : line.slice(i + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (method.toUpperCase() === 'HEAD') body = Buffer.alloc(0);
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
