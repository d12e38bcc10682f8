/**
 * Stream health from the `streams` rows and the job-status index (src/export/streamHealth.ts): how far each stream
 * is exported and how far behind now that is.
 */
import { loadConfig } from '../../../src/config';
import { streamHealth } from '../../../src/export/streamHealth';
import type { JobIndexEntry } from '../../../src/storage/jobStatusIndex';
import type { StreamState } from '../../../src/storage/streamRepository';

const config = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
const now = new Date('2026-11-28T12:34:56.789Z');
const audit = (states: StreamState[], entries: JobIndexEntry[] = []) => streamHealth(config, states, entries, now).find((s) => s.stream === 'audit')!;
const entry = (status: JobIndexEntry['status'], windowStart: string): JobIndexEntry => ({
  jobId: `audit-${windowStart}`, kind: 'scheduled', stream: 'audit', status, windowStart, windowEnd: windowStart, queuedAt: windowStart, updatedAt: windowStart,
});

describe('stream health', () => {
  it('is exported through the planner watermark when nothing is waiting', () => {
    expect(audit([{ stream: 'audit', watermark: '2026-11-28T11:00:00.0000000Z' }])).toMatchObject({ exportedThrough: '2026-11-28T11:00:00Z', lagMinutes: 94, queued: 0 });
  });

  it('is held back by the oldest window still queued, running or failed, not by a lost one', () => {
    const health = audit([{ stream: 'audit', watermark: '2026-11-28T11:00:00.0000000Z' }], [
      entry('lostToRetention', '2026-10-01T00:00:00.0000000Z'),
      entry('failed', '2026-11-28T08:00:00.0000000Z'),
      entry('queued', '2026-11-28T10:00:00.0000000Z'),
    ]);
    expect(health).toMatchObject({ exportedThrough: '2026-11-28T08:00:00Z', lagMinutes: 274, queued: 1, failed: 1, lostToRetention: 1 });
  });

  it('is never exported through an instant to come: a deployment without back-fill starts at the next window', () => {
    expect(audit([{ stream: 'audit', watermark: '2026-11-28T13:00:00.0000000Z' }])).toMatchObject({ exportedThrough: '2026-11-28T12:34:00Z', lagMinutes: 0 });
  });

  it('has no position before the stream is first planned', () => {
    expect(audit([])).toMatchObject({ exportedThrough: null, lagMinutes: null });
  });
});
