/**
 * A tiny local HTTP(S) server that answers requests from a script, one entry per request, for Graph client tests.
 * Beyond plain responses it can reset the connection, never answer (for timeouts), or send a 200 whose JSON body
 * is cut short.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export type ScriptedStep =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer | object }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'truncated'; body: string };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface ScriptedGraphServer {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startScriptedGraphServer(script: ScriptedStep[], options: { tls?: boolean } = {}): Promise<ScriptedGraphServer> {
  const requests: RecordedRequest[] = [];
  const steps = [...script];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const step: ScriptedStep = steps.shift() ?? { status: 500, body: { error: { code: 'ScriptExhausted', message: 'no scripted response left' } } };
    if ('kind' in step) {
      if (step.kind === 'reset') {
        req.socket.destroy();
      } else if (step.kind === 'truncated') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(step.body);
      }
      return;
    }
    const body = step.body === undefined ? '' : typeof step.body === 'string' || Buffer.isBuffer(step.body) ? step.body : JSON.stringify(step.body);
    res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    res.end(body);
  };
  const server = options.tls
    ? https.createServer({ cert: readFileSync(requiredEnv('TEST_TLS_CERT')), key: readFileSync(requiredEnv('TEST_TLS_KEY')) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.tls ? 'localhost' : '127.0.0.1';
  return {
    baseUrl: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run the tests with npm test`);
  return value;
}

/**
 * One clock for the limiter and the client: sleeping advances it and records the delay, without waiting. It yields
 * to the event loop first, so whatever was already due (callbacks of granted waiters) runs at the old time.
 */
export class FakeClock {
  nowMs: number;
  readonly sleeps: number[] = [];

  constructor(startMs = Date.UTC(2026, 10, 27, 10, 0, 0)) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sleeps.push(ms);
    this.nowMs += ms;
  };
}
