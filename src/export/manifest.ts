/**
 * The manifest written beside every window's files: what was asked of Graph, what was written, and the SHA-256
 * of each file's final bytes (what `sha256sum` prints for the downloaded file).
 */
import type { ExportFileStore } from '../storage/fileStore';
import type { TruncationCounts } from '../formats/types';
import type { StreamDefinition } from '../streams/catalog';
import type { CompiledExportFilter, ExportFilters } from './filters';
import type { ExportCounts, ExportedFile, ExportJob, JobResult, RevisionFile } from './job';
import packageJson from '../../package.json';

/** 2: `previousRevision` names the files it replaces and how the records compare; `fingerprints` added. */
export const MANIFEST_SCHEMA_VERSION = 2;
export const EXPORTER_VERSION: string = packageJson.version;

export interface Manifest {
  schemaVersion: number;
  exporter: { name: string; version: string };
  jobId: string;
  kind: ExportJob['kind'];
  stream: string;
  window: { start: string; end: string; semantics: 'half-open [start, end) UTC' };
  revision: number;
  /**
   * A re-check or re-run: the revision it was compared with (the one served when it started), that revision's
   * files, and how the records compare: `added` (not in it), `changed` (other content), `missing` (in it, not here).
   * This revision replaced that one only if `missing` is 0 (`replaced`); otherwise both are kept.
   */
  previousRevision: {
    revision: number;
    records: number;
    manifestBlob: string;
    files: RevisionFile[];
    recordsNow: number;
    added: number | null;
    changed: number | null;
    missing: number | null;
    replaced: boolean;
  } | null;
  /** Blob of `<idHash> <contentHash>` lines, one per record: what a later re-check compares against. */
  fingerprints: string | null;
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
  fingerprintsBlob?: string;
  comparison?: JobResult['comparison'];
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
      ? {
          revision: job.previous.revision,
          records: job.previous.records,
          manifestBlob: job.previous.manifestBlob,
          files: job.previous.files ?? [],
          recordsNow: input.counts.records,
          added: input.comparison?.added ?? null,
          changed: input.comparison?.changed ?? null,
          missing: input.comparison?.missing ?? null,
          replaced: (input.comparison?.missing ?? 0) === 0,
        }
      : null,
    fingerprints: input.fingerprintsBlob ?? null,
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

/**
 * Writes the manifest, unless the store already holds one for the same revision with the same files (a retry after
 * a crash between the manifest and the job's update): that one is kept and returned, so nothing is rewritten (a WORM
 * policy refuses rewrites) and the job's result matches the manifest stored. Returns the manifest stored.
 */
export async function writeManifest(files: ExportFileStore, name: string, manifest: Manifest): Promise<Manifest> {
  const existing = parseManifest(await files.readIfExists(name));
  if (existing && describesSameFiles(existing, manifest)) return existing;
  await files.writeJson(name, Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
  return manifest;
}

function parseManifest(body: Buffer | undefined): Manifest | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<Manifest>;
    return typeof parsed.jobId === 'string' && Array.isArray(parsed.files) && parsed.totals ? (parsed as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

function describesSameFiles(a: Manifest, b: Manifest): boolean {
  const files = (m: Manifest) => JSON.stringify(m.files.map((f) => [f.key, f.blobName, f.bytes, f.records, f.sha256]));
  return a.jobId === b.jobId && a.revision === b.revision && a.fingerprints === b.fingerprints && a.totals.records === b.totals.records && files(a) === files(b);
}
