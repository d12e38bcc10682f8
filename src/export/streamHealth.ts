/**
 * Stream health: per stream, whether it runs, how far it is exported, how far behind now that is, and what is waiting
 * or went wrong. Read from the six `streams` rows and the job-status index (unsettled jobs only), never from a scan
 * of every job row, so the cost follows the number of queued, running, failed and lost windows.
 */
import type { AppConfig } from '../config';
import type { JobRepository } from '../storage/jobRepository';
import type { JobIndexEntry } from '../storage/jobStatusIndex';
import { INDEXED_STATUSES } from '../storage/jobStatusIndex';
import type { StreamRepository, StreamState } from '../storage/streamRepository';
import { STREAM_IDS, STREAMS, StreamId } from '../streams/catalog';
import { formatInstant, parseInstant } from '../time/instant';
import { isTerminal } from './job';

export interface StreamHealth {
  stream: StreamId;
  title: string;
  enabled: boolean;
  /** The planner creates no windows until `until`: Graph refused the stream (licence, permission). */
  paused: { until: string; code: string | null; reason: string | null } | null;
  /** Every scheduled window before this instant is exported (or counted lost to retention); null before the first plan. */
  exportedThrough: string | null;
  /** Whole minutes from `exportedThrough` to now. */
  lagMinutes: number | null;
  /** The lag a healthy stream shows right before its next window is planned: its lag setting plus its window. */
  expectedLagMinutes: number;
  queued: number;
  running: number;
  failed: number;
  lostToRetention: number;
  /** Records the re-check pass found that the first export of their window had missed. */
  lateRecordsFound: number;
  lastSuccessAt: string | null;
}

export interface StreamHealthDeps {
  config: AppConfig;
  streams: StreamRepository;
  jobs: JobRepository;
  now: () => Date;
}

export async function readStreamHealth(deps: StreamHealthDeps): Promise<StreamHealth[]> {
  const states = await deps.streams.list();
  const entries: JobIndexEntry[] = [];
  for (const status of INDEXED_STATUSES) {
    for await (const entry of deps.jobs.indexEntries(status)) if (entry.kind === 'scheduled') entries.push(entry);
  }
  return streamHealth(deps.config, states, entries, deps.now());
}

/** The health of every stream from its row and the index entries of its scheduled jobs. */
export function streamHealth(config: AppConfig, states: readonly StreamState[], entries: readonly JobIndexEntry[], now: Date): StreamHealth[] {
  return STREAM_IDS.map((stream) => {
    const settings = config.streams[stream];
    const state = states.find((s) => s.stream === stream);
    const mine = entries.filter((e) => e.stream === stream);
    const count = (test: (e: JobIndexEntry) => boolean) => mine.filter(test).length;
    // The oldest window still to be exported holds the stream back; a lost window never will be, so it does not.
    const holding = mine.filter((e) => !isLost(e));
    const oldest = holding.reduce<string | undefined>((min, e) => (min === undefined || e.windowStart < min ? e.windowStart : min), undefined);
    const through = oldest ?? state?.watermark;
    // A new deployment without back-fill starts at the next window boundary: no window before now is due, and the
    // stream is exported through now, never through an instant still to come.
    const nowMinute = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
    const exportedThrough = through ? formatInstant(parseInstant(Date.parse(through) > now.getTime() ? nowMinute : through)) : null;
    const pausedUntil = state?.pausedUntil && new Date(state.pausedUntil) > now ? state.pausedUntil : undefined;
    return {
      stream,
      title: STREAMS[stream].title,
      enabled: settings.enabled,
      paused: pausedUntil ? { until: pausedUntil, code: state?.pausedCode ?? null, reason: state?.pausedReason ?? null } : null,
      exportedThrough,
      lagMinutes: exportedThrough ? Math.max(0, Math.floor((now.getTime() - Date.parse(exportedThrough)) / 60_000)) : null,
      expectedLagMinutes: settings.lagMinutes + settings.windowMinutes,
      queued: count((e) => e.status === 'queued'),
      running: count((e) => e.status === 'running'),
      failed: count((e) => e.status === 'failed'),
      lostToRetention: count(isLost),
      lateRecordsFound: state?.lateRecordsFound ?? 0,
      lastSuccessAt: state?.lastSuccessAt ?? null,
    };
  });
}

/** Finished without its records: Entra no longer held the window. */
function isLost(entry: JobIndexEntry): boolean {
  return isTerminal(entry.status) && entry.status !== 'failed';
}
