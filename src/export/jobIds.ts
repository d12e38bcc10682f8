/**
 * Job ids, table keys and blob names: all derived from (stream, window), so a repeated planner tick produces the
 * same job and the same files, never a second copy.
 */
import { isStreamId, StreamId } from '../streams/catalog';
import { compactMinute, formatInstant, parseInstant, TICKS_PER_MINUTE, Ticks } from '../time/instant';

const JOB_ID = /^(?:(adhoc)-)?([A-Za-z]+)-(\d{8}T\d{4}Z)(?:-([a-z0-9]{6,32}))?$/;

export interface ParsedJobId {
  kind: 'scheduled' | 'adhoc';
  stream: StreamId;
  start: Ticks;
}

export function scheduledJobId(stream: StreamId, start: Ticks): string {
  return `${stream}-${compactMinute(start)}`;
}

export function adhocJobId(stream: StreamId, start: Ticks, suffix: string): string {
  return `adhoc-${stream}-${compactMinute(start)}-${suffix}`;
}

/** Parses and validates a job id (also the check for ids arriving in URLs). */
export function parseJobId(jobId: string): ParsedJobId | undefined {
  const m = JOB_ID.exec(jobId);
  if (!m) return undefined;
  const [, adhoc, stream, compact, suffix] = m;
  if (!isStreamId(stream)) return undefined;
  if (Boolean(adhoc) !== Boolean(suffix)) return undefined;
  const iso = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(9, 11)}:${compact.slice(11, 13)}:00Z`;
  let start: Ticks;
  try {
    start = parseInstant(iso);
  } catch {
    return undefined;
  }
  if (compactMinute(start) !== compact) return undefined;
  return { kind: adhoc ? 'adhoc' : 'scheduled', stream, start };
}

const INVERT_BASE = 9_999_999_999n;

/** Table row key: newest window first when listed in key order, then the job id. */
export function jobRowKey(jobId: string): string {
  const parsed = parseJobId(jobId);
  if (!parsed) throw new RangeError(`Not a job id: ${jobId}`);
  return `${invertedMinutes(parsed.start)}-${jobId}`;
}

export function invertedMinutes(ticks: Ticks): string {
  const minutes = ticks / TICKS_PER_MINUTE;
  return (INVERT_BASE - minutes).toString().padStart(10, '0');
}

export interface BlobNameParts {
  jobId: string;
  kind: 'scheduled' | 'adhoc' | 'cli';
  stream: StreamId;
  start: Ticks;
  end: Ticks;
  revision: number;
}

/**
 * `{stream}/{yyyy}/{MM}/{dd}/{stream}_{start}_{end}` (scheduled), `adhoc/{jobId}/{stream}_{start}_{end}` (on demand), or
 * `{stream}_{start}_{end}` at the top of the export folder (command line); `_r{n}` for revisions after the first.
 */
export function blobBaseName(parts: BlobNameParts): string {
  const day = formatInstant(parts.start, 7);
  const revision = parts.revision > 1 ? `_r${parts.revision}` : '';
  const file = `${parts.stream}_${compactMinute(parts.start)}_${compactMinute(parts.end)}${revision}`;
  if (parts.kind === 'cli') return file;
  const folder = parts.kind === 'adhoc' ? `adhoc/${parts.jobId}` : `${parts.stream}/${day.slice(0, 4)}/${day.slice(5, 7)}/${day.slice(8, 10)}`;
  return `${folder}/${file}`;
}

/** The job of one stream of a command-line export: `cli-{stream}-{start}-{end}`, unique within its folder. */
export function cliJobId(stream: StreamId, start: Ticks, end: Ticks): string {
  return `cli-${stream}-${compactMinute(start)}-${compactMinute(end)}`;
}

export function dataBlobName(base: string, blobSuffix: string, extension: string, gzip: boolean): string {
  return `${base}${blobSuffix ? `_${blobSuffix}` : ''}.${extension}${gzip ? '.gz' : ''}`;
}

export function manifestBlobName(base: string): string {
  return `${base}.manifest.json`;
}

export function windowMinutes(start: Ticks, end: Ticks): number {
  return Number((end - start) / TICKS_PER_MINUTE);
}
