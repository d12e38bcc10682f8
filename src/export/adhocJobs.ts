/**
 * On-demand exports: one job over any range `[from, to)` of one stream, with the admin center's filters. It runs on
 * the same queue, worker, Graph budget, sieve, encoders and manifest as a scheduled window; only its id
 * (`adhoc-{stream}-{from}-{suffix}`) and its blob folder (`adhoc/{jobId}/`) differ.
 */
import { randomBytes } from 'node:crypto';
import type { FormatId } from '../config';
import type { StreamId } from '../streams/catalog';
import { formatInstant, Ticks } from '../time/instant';
import type { ExportFilters } from './filters';
import { newJob, type ExportJob } from './job';
import { adhocJobId } from './jobIds';

export interface AdhocRequest {
  stream: StreamId;
  from: Ticks;
  to: Ticks;
  filters: ExportFilters;
  formats: FormatId[];
}

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 12 random lower-case letters and digits (62 bits): two requests in the same minute get different ids. */
export function newAdhocSuffix(): string {
  return [...randomBytes(12)].map((byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
}

export function newAdhocJob(request: AdhocRequest, now: Date, suffix: string = newAdhocSuffix()): ExportJob {
  if (request.to <= request.from) throw new RangeError(`On-demand range end ${formatInstant(request.to)} is not after its start ${formatInstant(request.from)}`);
  return newJob(
    {
      jobId: adhocJobId(request.stream, request.from, suffix),
      kind: 'adhoc',
      stream: request.stream,
      windowStart: formatInstant(request.from, 7),
      windowEnd: formatInstant(request.to, 7),
      formats: request.formats,
      filters: Object.keys(request.filters).length > 0 ? { ...request.filters } : undefined,
    },
    now,
  );
}
