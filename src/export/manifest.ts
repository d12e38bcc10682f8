/**
 * The manifest written beside every window's files: what was asked of Graph, what was written, and the SHA-256
 * of each file's final bytes (what `sha256sum` prints for the downloaded file).
 */
import type { ExportFileStore } from '../storage/fileStore';
import type { TruncationCounts } from '../formats/types';
import type { StreamDefinition } from '../streams/catalog';
import type { CompiledExportFilter, ExportFilters } from './filters';
import type { ExportCounts, ExportedFile, ExportJob } from './job';
import packageJson from '../../package.json';

export const MANIFEST_SCHEMA_VERSION = 1;
export const EXPORTER_VERSION: string = packageJson.version;

export interface Manifest {
  schemaVersion: number;
  exporter: { name: string; version: string };
  jobId: string;
  kind: ExportJob['kind'];
  stream: string;
  window: { start: string; end: string; semantics: 'half-open [start, end) UTC' };
  revision: number;
  /** A re-check or re-run: the revision this one replaces and how the record count changed. */
  previousRevision: { revision: number; records: number; manifestBlob: string; recordsNow: number } | null;
  /** An on-demand export's filters as given (normalised), or null. */
  filters: ExportFilters | null;
  /** The part of them sent to Graph as `$filter` terms (the rest, and these again, were applied while writing). */
  filter: string | null;
  graph: { version: string; url: string; timeFilter: string };
  formats: string[];
  files: ExportedFile[];
  totals: ExportCounts & { invocations: number; continuations: number };
  csvTruncation: TruncationCounts | null;
  startedAt: string;
  finishedAt: string;
}

export interface ManifestInput {
  job: ExportJob;
  stream: StreamDefinition;
  firstUrl: string;
  filter?: CompiledExportFilter;
  files: ExportedFile[];
  counts: ExportCounts;
  truncation?: TruncationCounts;
  startedAt: string;
  finishedAt: string;
}

export function buildManifest(input: ManifestInput): Manifest {
  const { job, stream } = input;
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    exporter: { name: 'entra-log-exporter', version: EXPORTER_VERSION },
    jobId: job.jobId,
    kind: job.kind,
    stream: job.stream,
    window: { start: job.windowStart, end: job.windowEnd, semantics: 'half-open [start, end) UTC' },
    revision: job.revision,
    previousRevision: job.previous
      ? { revision: job.previous.revision, records: job.previous.records, manifestBlob: job.previous.manifestBlob, recordsNow: input.counts.records }
      : null,
    filters: input.filter?.filters ?? null,
    filter: input.filter?.graphFilter ?? null,
    graph: {
      version: stream.graphVersion,
      url: input.firstUrl,
      timeFilter: stream.timeOperators === 'ge-le' ? `${stream.timeProperty} ge start and le end; records at end dropped` : `${stream.timeProperty} gt start-1s and lt end+1s; kept [start, end) in code`,
    },
    formats: job.formats,
    files: input.files,
    totals: { ...input.counts, invocations: job.invocations, continuations: job.continuations },
    csvTruncation: input.truncation ?? null,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
  };
}

export async function writeManifest(files: ExportFileStore, name: string, manifest: Manifest): Promise<void> {
  await files.writeJson(name, Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
}
