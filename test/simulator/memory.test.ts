/**
 * Paging a very large range keeps memory flat: slices are generated on demand and never materialised.
 * `npm test` pages 300,000 records; set SIM_MEMORY_RECORDS=1000000 to run the 1M figure in docs/simulator.md.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { iso, listUrl, NOW, startTestSimulator, TOKEN } from './graphClient';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const RECORDS = Number(process.env.SIM_MEMORY_RECORDS ?? 300_000);

test(`paging ${RECORDS.toLocaleString('en')} audit records keeps heap growth bounded`, async () => {
  const windowMs = 3_600_000;
  const sim = await startTestSimulator({
    volume: { audit: RECORDS },
    publication: { lateShare: 0, republishShare: 0, splitShare: 0 },
  });
  try {
    const start = iso(NOW - 2 * windowMs);
    const end = iso(NOW - windowMs);
    let url: string | undefined = listUrl(sim.url, '/v1.0/auditLogs/directoryAudits', {
      $top: '1000',
      $filter: `activityDateTime ge ${start} and activityDateTime le 2026-11-27T10:59:59.9999999Z`,
    });
    const before = heapAfterGc();
    let peak = before;
    let served = 0;
    let pages = 0;
    while (url) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
      served += body.value.length;
      url = body['@odata.nextLink'];
      if (++pages % 50 === 0) peak = Math.max(peak, heapAfterGc());
    }
    const after = heapAfterGc();
    const growthMb = (Math.max(peak, after) - before) / 1e6;
    process.stdout.write(`simulator memory: ${served} records, ${pages} pages, heap before ${(before / 1e6).toFixed(1)} MB, peak growth ${growthMb.toFixed(1)} MB\n`);
    expect(growthMb).toBeLessThan(150);
    expect(served).toBeGreaterThan(RECORDS * 0.8);
    expect(served).toBe(sim.groundTruthIds({ stream: 'audit', start, end }).length);
  } finally {
    await sim.close();
  }
});
