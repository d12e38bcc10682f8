/**
 * The exports API: list jobs, show one (with signed links to its finished files), and redirect to a fresh
 * signed link for one file. Links are read-only, one blob, short-lived, and every one issued is audited.
 */
import { z } from 'zod';
import { isTerminal, JOB_STATUSES, ExportJob, ExportedFile, JobMessage, rerun } from '../export/job';
import { JobConcurrencyError } from '../storage/jobRepository';
import { parseJobId } from '../export/jobIds';
import type { JobRepository } from '../storage/jobRepository';
import type { LinkAuditRepository } from '../storage/linkAuditRepository';
import type { LinkSigner } from '../storage/links';
import { STREAM_IDS } from '../streams/catalog';
import { formatInstant, parseInstant } from '../time/instant';
import { Caller, identifyCaller } from './callerIdentity';
import { ApiError, ApiRequest, ApiResponse, json } from './http';

export interface ExportsApiDeps {
  jobs: JobRepository;
  linkAudit: LinkAuditRepository;
  signer: LinkSigner;
  container: string;
  linkExpiryMinutes: number;
  requiredRole?: string;
  now: () => Date;
}

const instant = z.string().transform((value, ctx) => {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  try {
    return formatInstant(parseInstant(text), 7);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 UTC time such as 2026-11-27T10:00:00Z or a date such as 2026-11-27' });
    return z.NEVER;
  }
});

const listQuery = z.object({
  stream: z.enum(STREAM_IDS).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  kind: z.enum(['scheduled', 'adhoc']).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API').optional(),
});

const expiryQuery = z.object({ expiresInMinutes: z.coerce.number().int().min(1).max(60).optional() });

export async function listExports(request: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  identifyCaller(request, deps.requiredRole);
  const q = parseQuery(listQuery, request.query);
  if (q.from && q.to && q.from >= q.to) throw new ApiError(400, 'InvalidParameter', '"from" must be before "to".');
  const page = await deps.jobs.list({
    stream: q.stream,
    status: q.status,
    kind: q.kind,
    from: q.from,
    to: q.to,
    limit: q.limit,
    continuationToken: q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined,
  });
  const nextCursor = page.continuationToken ? Buffer.from(page.continuationToken, 'utf8').toString('base64url') : undefined;
  let next: string | undefined;
  if (nextCursor) {
    const url = new URL(request.url);
    url.searchParams.set('cursor', nextCursor);
    next = url.pathname + url.search;
  }
  return json(200, { exports: page.jobs.map(summary), nextCursor: nextCursor ?? null, next: next ?? null });
}

export async function getExport(request: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  const caller = identifyCaller(request, deps.requiredRole);
  const { expiresInMinutes } = parseQuery(expiryQuery, request.query);
  const job = await loadJob(request.params.jobId, deps);
  const body: Record<string, unknown> = { ...summary(job), counts: job.result?.counts ?? job.checkpoint?.counts ?? null };
  if (!isTerminal(job.status) && job.checkpoint) {
    body.progress = { phase: job.checkpoint.phase, cursor: job.checkpoint.cursor ?? null, recordsWritten: job.checkpoint.counts.records };
  }
  if (job.result) {
    const expiry = expiresInMinutes ?? deps.linkExpiryMinutes;
    body.files = await Promise.all(job.result.files.map((file) => fileWithLink(job, file, caller, request, expiry, deps)));
    body.manifest = { blobName: job.result.manifestBlob, download: `/api/exports/${job.jobId}/files/manifest` };
    body.csvTruncation = job.result.truncation ?? null;
  }
  return json(200, body);
}

export async function downloadExportFile(request: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  const caller = identifyCaller(request, deps.requiredRole);
  const { expiresInMinutes } = parseQuery(expiryQuery, request.query);
  const job = await loadJob(request.params.jobId, deps);
  if (!job.result) {
    throw new ApiError(409, 'ExportNotFinished', `Export ${job.jobId} is ${job.status}; files can be downloaded once it has succeeded.`);
  }
  const key = request.params.fileKey ?? '';
  const expiry = expiresInMinutes ?? deps.linkExpiryMinutes;
  if (key === 'manifest') {
    const link = await issueLink(job, 'manifest', job.result.manifestBlob, manifestDownloadName(job), 'application/json', caller, request, expiry, deps);
    return { status: 302, headers: { Location: link.url, 'Cache-Control': 'no-store' } };
  }
  const file = job.result.files.find((f) => f.key === key);
  if (!file) {
    const keys = ['manifest', ...job.result.files.map((f) => f.key)].join(', ');
    throw new ApiError(404, 'FileNotFound', `Export ${job.jobId} has no file "${key.slice(0, 100)}"; its files are: ${keys}.`);
  }
  const link = await issueLink(job, file.key, file.blobName, file.downloadName, file.contentType, caller, request, expiry, deps);
  return { status: 302, headers: { Location: link.url, 'Cache-Control': 'no-store' } };
}

/** Re-runs a finished window as a new revision (new files; the previous revision's files are kept). */
export async function rerunExport(request: ApiRequest, deps: ExportsApiDeps): Promise<{ response: ApiResponse; messages: JobMessage[] }> {
  const caller = identifyCaller(request, deps.requiredRole);
  parseQuery(z.object({}), request.query);
  const job = await loadJob(request.params.jobId, deps);
  if (!isTerminal(job.status)) {
    throw new ApiError(409, 'ExportNotFinished', `Export ${job.jobId} is ${job.status}; wait until it has finished before re-running it.`);
  }
  let updated: ExportJob;
  try {
    updated = await deps.jobs.update(rerun(job, deps.now()));
  } catch (error) {
    if (error instanceof JobConcurrencyError) throw new ApiError(409, 'ExportNotFinished', `Export ${job.jobId} changed while re-running it; try again.`);
    throw error;
  }
  return {
    response: json(202, { ...summary(updated), requestedBy: caller.name }),
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
    revision: job.revision,
    records: job.result?.counts.records ?? null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt ?? null,
    error: job.lastError && (job.status === 'failed' || job.status === 'outsideRetention' || job.status === 'queued') ? job.lastError : null,
    href: `/api/exports/${job.jobId}`,
  };
}

async function fileWithLink(job: ExportJob, file: ExportedFile, caller: Caller, request: ApiRequest, expiry: number, deps: ExportsApiDeps) {
  const link = await issueLink(job, file.key, file.blobName, file.downloadName, file.contentType, caller, request, expiry, deps);
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
  request: ApiRequest,
  expiresInMinutes: number,
  deps: ExportsApiDeps,
) {
  const link = await deps.signer.sign(deps.container, { blobName, downloadName, contentType, expiresInMinutes });
  await deps.linkAudit.record({
    issuedAt: deps.now(),
    caller: caller.name,
    callerObjectId: caller.objectId,
    clientIp: request.header('x-forwarded-for')?.split(',')[0]?.trim() || undefined,
    jobId: job.jobId,
    fileKey,
    blobName,
    expiresOn: link.expiresOn,
  });
  return link;
}

async function loadJob(jobId: string | undefined, deps: ExportsApiDeps): Promise<ExportJob> {
  if (!jobId || !parseJobId(jobId)) {
    throw new ApiError(400, 'InvalidJobId', `"${(jobId ?? '').slice(0, 100)}" is not an export id; ids look like audit-20261127T1000Z (list them with GET /api/exports).`);
  }
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ApiError(404, 'ExportNotFound', `No export ${jobId}; list exports with GET /api/exports.`);
  return job;
}

function manifestDownloadName(job: ExportJob): string {
  return `${job.jobId}.manifest.json`;
}

function parseQuery<T extends z.ZodType>(schema: T, query: URLSearchParams): z.infer<T> {
  const shape = (schema as unknown as z.ZodObject).shape as Record<string, unknown>;
  const raw: Record<string, string> = {};
  for (const [key, value] of query) {
    if (key === 'code') continue; // function key
    if (!(key in shape)) {
      throw new ApiError(400, 'UnknownParameter', `Unknown query parameter "${key.slice(0, 50)}"; allowed: ${Object.keys(shape).join(', ')}.`);
    }
    raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(400, 'InvalidParameter', `Query parameter "${String(issue?.path[0] ?? '')}" ${issue?.message ?? 'is invalid'}.`);
  }
  return result.data;
}
