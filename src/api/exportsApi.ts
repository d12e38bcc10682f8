/**
 * The exports API: list jobs, show one (with signed links to its finished files), and redirect to a fresh
 * signed link for one file. Links are read-only, one blob, short-lived, and every one issued is audited.
 */
import { z } from 'zod';
import { isTerminal, JOB_STATUSES, ExportJob, ExportedFile, JobMessage } from '../export/job';
import { rerun } from '../export/revisions';
import { chooseRevision, refuseRerunBeyondRetention, revisionsView } from './exportRevisions';
import { JobConcurrencyError } from '../storage/jobRepository';
import { parseJobId } from '../export/jobIds';
import type { JobRepository } from '../storage/jobRepository';
import type { LinkAuditRepository } from '../storage/linkAuditRepository';
import type { LinkSigner } from '../storage/links';
import { STREAM_IDS } from '../streams/catalog';
import { formatInstant, parseInstant } from '../time/instant';
import { ApiAuthSettings, authorize, Caller } from './callerIdentity';
import { ApiError, ApiRequest, ApiResponse, echo, json } from './http';
import { decodeCursor, encodeCursor } from './listCursor';
import { integerParam, isoInstantParam, parseQuery } from './query';
import { refuseBody } from './requestBody';

export interface ExportsApiDeps {
  jobs: JobRepository;
  linkAudit: LinkAuditRepository;
  signer: LinkSigner;
  container: string;
  linkExpiryMinutes: number;
  auth: ApiAuthSettings;
  /** ENTRA_RETENTION_DAYS: re-runs of windows older than this are refused. */
  retentionDays: number;
  now: () => Date;
}

const listQuery = z.object({
  stream: z.enum(STREAM_IDS).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  kind: z.enum(['scheduled', 'adhoc']).optional(),
  from: isoInstantParam.optional(),
  to: isoInstantParam.optional(),
  limit: integerParam(1, 200).default(50),
  cursor: z.string().optional(),
});

const expiryQuery = z.object({ expiresInMinutes: integerParam(1, 60).optional() });
const downloadQuery = expiryQuery.extend({ revision: integerParam(1, 1_000_000).optional() });

export async function listExports(request: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  authorize(request, 'Exports.Read', deps.auth);
  const q = parseQuery(listQuery, request.query);
  if (q.from && q.to && q.from >= q.to) throw new ApiError(400, 'InvalidParameter', '"from" must be before "to".');
  const page = await deps.jobs.list({
    stream: q.stream,
    status: q.status,
    kind: q.kind,
    from: q.from,
    to: q.to,
    limit: q.limit,
    continuationToken: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
  });
  const nextCursor = encodeCursor(page.continuationToken);
  return json(200, { exports: page.jobs.map(summary), nextCursor: nextCursor ?? null, next: nextCursor ? nextLink(request, nextCursor) : null });
}

/** The next page's path: this route with the caller's own parameters and the new cursor, never the function key. */
function nextLink(request: ApiRequest, cursor: string): string {
  const query = new URLSearchParams();
  for (const [key, value] of request.query) if (key !== 'code' && key !== 'cursor') query.set(key, value);
  query.set('cursor', cursor);
  return `${new URL(request.url).pathname}?${query.toString()}`;
}

export async function getExport(request: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  const caller = authorize(request, 'Exports.Read', deps.auth);
  const { expiresInMinutes } = parseQuery(expiryQuery, request.query);
  const job = await loadJob(request.params.jobId, deps);
  const body: Record<string, unknown> = { ...summary(job), counts: job.result?.counts ?? job.checkpoint?.counts ?? null };
  if (!isTerminal(job.status) && job.checkpoint) {
    body.progress = { phase: job.checkpoint.phase, cursor: job.checkpoint.cursor ?? null, recordsWritten: job.checkpoint.counts.records };
  }
  if (job.result) {
    const expiry = expiresInMinutes ?? deps.linkExpiryMinutes;
    body.files = await Promise.all(job.result.files.map((file) => fileWithLink(job, file, caller, expiry, deps)));
    body.manifest = { blobName: job.result.manifestBlob, download: `/api/exports/${job.jobId}/files/manifest` };
    body.csvTruncation = job.result.truncation ?? null;
  }
  Object.assign(body, revisionsView(job));
  return json(200, body);
}

export async function downloadExportFile(request: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  const caller = authorize(request, 'Exports.Read', deps.auth);
  const { expiresInMinutes, revision } = parseQuery(downloadQuery, request.query);
  const job = await loadJob(request.params.jobId, deps);
  // The served revision keeps answering while a re-check or re-run writes the next one.
  const result = chooseRevision(job, revision);
  if (!result) {
    throw new ApiError(409, 'ExportNotFinished', `Export ${job.jobId} is ${job.status}; files can be downloaded once it has succeeded.`);
  }
  const key = request.params.fileKey ?? '';
  const expiry = expiresInMinutes ?? deps.linkExpiryMinutes;
  const audited = (fileKey: string) => (revision === undefined ? fileKey : `${fileKey}@r${revision}`);
  if (key === 'manifest') {
    const link = await issueLink(job, audited('manifest'), result.manifestBlob, manifestDownloadName(job), 'application/json', caller, expiry, deps);
    return { status: 302, headers: { Location: link.url, 'Cache-Control': 'no-store' } };
  }
  const file = result.files.find((f) => f.key === key);
  if (!file) {
    const keys = ['manifest', ...result.files.map((f) => f.key)].join(', ');
    throw new ApiError(404, 'FileNotFound', `Export ${job.jobId} has no file ${echo(key)}; its files are: ${keys}.`);
  }
  const link = await issueLink(job, audited(file.key), file.blobName, file.downloadName, file.contentType, caller, expiry, deps);
  return { status: 302, headers: { Location: link.url, 'Cache-Control': 'no-store' } };
}

/** Re-runs a finished window as a new revision (new files; the previous revision's files are kept). */
export async function rerunExport(request: ApiRequest, deps: ExportsApiDeps): Promise<{ response: ApiResponse; messages: JobMessage[] }> {
  const caller = authorize(request, 'Exports.Run', deps.auth);
  parseQuery(z.object({}), request.query);
  await refuseBody(request);
  const job = await loadJob(request.params.jobId, deps);
  if (!isTerminal(job.status)) {
    throw new ApiError(409, 'ExportNotFinished', `Export ${job.jobId} is ${job.status}; wait until it has finished before re-running it.`);
  }
  refuseRerunBeyondRetention(job, deps.now(), deps.retentionDays);
  let updated: ExportJob;
  try {
    updated = await deps.jobs.update(rerun(job, deps.now()));
  } catch (error) {
    if (error instanceof JobConcurrencyError) throw new ApiError(409, 'ExportNotFinished', `Export ${job.jobId} changed while re-running it; try again.`);
    throw error;
  }
  return {
    response: json(202, { ...summary(updated), pendingRevision: updated.revision, requestedBy: caller.name }),
    messages: [{ jobId: updated.jobId, continuation: updated.continuations }],
  };
}

function summary(job: ExportJob): Record<string, unknown> {
  return {
    jobId: job.jobId,
    stream: job.stream,
    kind: job.kind,
    window: { start: formatInstant(parseInstant(job.windowStart)), end: formatInstant(parseInstant(job.windowEnd)) },
    status: job.status,
    formats: job.formats,
    filters: job.filters ?? null,
    revision: job.result?.revision ?? job.revision,
    records: job.result?.counts.records ?? null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt ?? null,
    error: job.lastError && (job.status === 'failed' || job.status === 'lostToRetention' || job.status === 'queued') ? job.lastError : null,
    href: `/api/exports/${job.jobId}`,
  };
}

async function fileWithLink(job: ExportJob, file: ExportedFile, caller: Caller, expiry: number, deps: ExportsApiDeps) {
  const link = await issueLink(job, file.key, file.blobName, file.downloadName, file.contentType, caller, expiry, deps);
  return {
    key: file.key,
    name: file.downloadName,
    contentType: file.contentType,
    bytes: file.bytes,
    records: file.records,
    rows: file.rows,
    sha256: file.sha256,
    url: link.url,
    expiresOn: link.expiresOn.toISOString(),
    download: `/api/exports/${job.jobId}/files/${file.key}`,
  };
}

async function issueLink(
  job: ExportJob,
  fileKey: string,
  blobName: string,
  downloadName: string,
  contentType: string,
  caller: Caller,
  expiresInMinutes: number,
  deps: ExportsApiDeps,
) {
  const link = await deps.signer.sign(deps.container, { blobName, downloadName, contentType, expiresInMinutes });
  await deps.linkAudit.record({
    issuedAt: deps.now(),
    caller: caller.name,
    callerObjectId: caller.objectId,
    clientIp: caller.clientIp,
    jobId: job.jobId,
    fileKey,
    blobName,
    expiresOn: link.expiresOn,
  });
  return link;
}

async function loadJob(jobId: string | undefined, deps: ExportsApiDeps): Promise<ExportJob> {
  if (!jobId || !parseJobId(jobId)) {
    throw new ApiError(400, 'InvalidJobId', `${echo(jobId ?? '')} is not an export id; ids look like audit-20261127T1000Z (list them with GET /api/exports).`);
  }
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ApiError(404, 'ExportNotFound', `No export ${jobId}; list exports with GET /api/exports.`);
  return job;
}

function manifestDownloadName(job: ExportJob): string {
  return `${job.jobId}.manifest.json`;
}
