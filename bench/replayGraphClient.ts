/**
 * Graph pages recorded once from the simulator and served from memory, so the CPU workload measures the worker
 * alone. The replay keeps the product's own work: each page is served as its JSON body text and parsed here with
 * one JSON.parse, as the real client's attempt policy does. Pages are keyed by path and query (not origin), so one
 * recording serves any number of runs against fresh simulators.
 */
import { makeSimulatorToken } from '../dev/graph-simulator';
import type { GraphClient, GraphPage } from '../src/graph/graphClient';
import type { GraphRecord } from '../src/formats/types';

export interface RecordedPages {
  bodies: Map<string, string>;
  records: number;
  bytes: number;
}

function pageKey(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** Follows nextLinks from `firstUrl` and keeps every body as text. */
export async function recordPages(firstUrl: string): Promise<RecordedPages> {
  const token = makeSimulatorToken('00000000-0000-0000-0000-0000000be4c4');
  const out: RecordedPages = { bodies: new Map(), records: 0, bytes: 0 };
  let url: string | undefined = firstUrl;
  while (url) {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    const text = await response.text();
    if (!response.ok) throw new Error(`Recording ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { value: unknown[]; '@odata.nextLink'?: string };
    out.bodies.set(pageKey(url), text);
    out.records += body.value.length;
    out.bytes += Buffer.byteLength(text);
    url = body['@odata.nextLink'];
  }
  return out;
}

/** A GraphClient stand-in (only getPage is used by the worker). */
export function replayGraphClient(pages: RecordedPages): GraphClient {
  const client = {
    async getPage(url: string): Promise<GraphPage> {
      const text = pages.bodies.get(pageKey(url));
      if (text === undefined) throw new Error(`No recorded page for ${url}`);
      const body = JSON.parse(text) as { value: GraphRecord[]; '@odata.nextLink'?: string };
      return { records: body.value, nextLink: body['@odata.nextLink'], url, attempts: 1, throttled: 0, bytes: text.length };
    },
  };
  return client as unknown as GraphClient;
}
