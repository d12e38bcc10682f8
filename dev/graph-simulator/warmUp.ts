/**
 * Serves a few pages before a measured run, to a caller of its own. Real Graph is never cold; the simulator is: its
 * first pages compile its record builders and fill its per-minute caches, holding its event loop for 100–300 ms while
 * a client's first requests (a burst of five, as the budget allows) wait in their sockets. They are then counted
 * closer to the next five than they were sent, and a client that spaced its requests by Graph's window plus its margin
 * draws 429s that the real service would not send. The warm-up's caller is another app, so its requests count against
 * its own throttle window, not the measured client's.
 */
import { buildListUrl } from '../../src/graph/odata';
import { streamDefinition, type StreamId } from '../../src/streams/catalog';
import { instantFromMs } from '../../src/time/instant';
import { makeSimulatorToken } from './auth';

export const WARM_UP_APP_ID = 'simulator-warm-up';

export async function warmUpSimulator(baseUrl: string, range: { stream: StreamId; fromMs: number; toMs: number }, pages = 3): Promise<void> {
  const headers = { Authorization: `Bearer ${makeSimulatorToken(WARM_UP_APP_ID)}` };
  let url: string | undefined = buildListUrl(baseUrl, {
    stream: streamDefinition(range.stream),
    start: instantFromMs(range.fromMs),
    end: instantFromMs(range.toMs),
    pageSize: 1000,
  });
  for (let page = 0; page < pages && url; page++) {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`Simulator warm-up: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { '@odata.nextLink'?: string };
    url = body['@odata.nextLink'];
  }
}
