/** A minimal Graph client for simulator tests: GET with a bearer token and follow every nextLink. */
import { makeSimulatorToken, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../dev/graph-simulator';

export const NOW = Date.parse('2026-11-27T12:00:00Z');
export const APP_ID = 'aaaaaaaa-1111-2222-3333-444444444444';
export const TOKEN = makeSimulatorToken(APP_ID);

export interface GraphPage {
  status: number;
  headers: Headers;
  body: {
    '@odata.context'?: string;
    '@odata.nextLink'?: string;
    value?: Array<Record<string, unknown>>;
    error?: { code: string; message: string; innerError: Record<string, string> };
  };
}

/** A simulator for fast tests: fixed clock, no latency, no throttling unless overridden. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  return startSimulator({ latency: 'none', throttle: false, now: () => NOW, seed: 'test', ...options });
}

export async function get(url: string, token: string | null = TOKEN): Promise<GraphPage> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphPage['body'] };
}

export function listUrl(base: string, path: string, query: Record<string, string>): string {
  const params = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${base}${path}${params ? `?${params}` : ''}`;
}

/** Follows nextLinks to the end; fails on any non-200 page. */
export async function getAll(firstUrl: string, token: string = TOKEN): Promise<{ records: Array<Record<string, unknown>>; pages: number }> {
  const records: Array<Record<string, unknown>> = [];
  let url: string | undefined = firstUrl;
  let pages = 0;
  while (url) {
    const page = await get(url, token);
    if (page.status !== 200) throw new Error(`HTTP ${page.status}: ${JSON.stringify(page.body)}`);
    pages++;
    records.push(...(page.body.value ?? []));
    url = page.body['@odata.nextLink'];
  }
  return { records, pages };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
