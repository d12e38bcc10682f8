/**
 * `POST /api/exports`: an on-demand export of one stream over `[from, to)` with the admin center's filters, in the
 * formats asked for (the deployment's by default). Answers 202 with the new job; the queue message goes out through
 * the function's output binding, and the job runs like any scheduled window.
 */
import { z } from 'zod';
import { FORMAT_IDS, FormatId } from '../config';
import { newAdhocJob } from '../export/adhocJobs';
import { compileExportFilters, FilterError, parseExportFilters } from '../export/filters';
import type { JobMessage } from '../export/job';
import type { JobRepository } from '../storage/jobRepository';
import { STREAM_IDS } from '../streams/catalog';
import { formatInstant, instantFromDate, TICKS_PER_MINUTE } from '../time/instant';
import { identifyCaller } from './callerIdentity';
import { ApiError, ApiRequest, ApiResponse, json } from './http';
import { INSTANT_HINT, parseApiInstant } from './instants';
import { readJsonObject } from './jsonBody';

export interface AdhocExportDeps {
  jobs: JobRepository;
  defaultFormats: readonly FormatId[];
  retentionDays: number;
  requiredRole?: string;
  now: () => Date;
}

/** An export request is a few hundred bytes; 16 KiB leaves room for long filter values and nothing else. */
export const MAX_REQUEST_BYTES = 16 * 1024;

const FIELDS = ['stream', 'from', 'to', 'filters', 'formats'] as const;

const instant = z.string().max(40).transform((value, ctx) => {
  const ticks = parseApiInstant(value);
  if (ticks === undefined) {
    ctx.addIssue({ code: 'custom', message: INSTANT_HINT });
    return z.NEVER;
  }
  return ticks;
});

const body = z.object({
  stream: z.enum(STREAM_IDS, { message: `must be one of ${STREAM_IDS.join(', ')}` }),
  from: instant,
  to: instant,
  filters: z.unknown().optional(),
  formats: z
    .array(z.enum(FORMAT_IDS, { message: `must be one of ${FORMAT_IDS.join(', ')}` }))
    .min(1, 'must name at least one format')
    .refine((formats) => new Set(formats).size === formats.length, 'names a format twice')
    .optional(),
});

export async function startAdhocExport(request: ApiRequest, deps: AdhocExportDeps): Promise<{ response: ApiResponse; messages: JobMessage[] }> {
  const caller = identifyCaller(request, deps.requiredRole);
  for (const key of request.query.keys()) {
    if (key !== 'code') throw new ApiError(400, 'UnknownParameter', `Unknown query parameter "${key.slice(0, 50)}"; send the export request as a JSON body.`, key.slice(0, 50));
  }
  const raw = await readJsonObject(request, MAX_REQUEST_BYTES);
  const unknown = Object.keys(raw).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw new ApiError(400, 'UnknownField', `Unknown field "${unknown.slice(0, 50)}"; an export request has ${FIELDS.join(', ')}.`, unknown.slice(0, 50));
  }
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('') || 'body';
    const message = raw[field] === undefined && issue.path.length === 1 ? 'is required' : issue.message;
    throw new ApiError(400, 'InvalidField', `"${field}" ${message}.`, field);
  }
  const { stream, from, to } = parsed.data;
  if (to <= from) throw new ApiError(400, 'InvalidField', `"to" must be after "from" (the range is [from, to), and it is ${to === from ? 'empty' : 'reversed'}).`, 'to');
  const now = instantFromDate(deps.now());
  if (to > now) throw new ApiError(400, 'InvalidField', `"to" is in the future; Graph holds records up to now (${formatInstant(now - (now % TICKS_PER_MINUTE))}).`, 'to');
  const oldest = now - BigInt(deps.retentionDays) * 24n * 60n * TICKS_PER_MINUTE;
  if (from < oldest) {
    throw new ApiError(400, 'InvalidField', `"from" is beyond Entra's retention: Graph keeps ${deps.retentionDays} days (ENTRA_RETENTION_DAYS), so the oldest start is ${formatInstant(oldest - (oldest % TICKS_PER_MINUTE) + TICKS_PER_MINUTE)}.`, 'from');
  }
  let filters;
  try {
    filters = parseExportFilters(stream, parsed.data.filters);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    const field = error.filter === 'filters' ? 'filters' : `filters.${error.filter}`;
    const code = error.reason === 'unknown' ? 'UnknownField' : 'InvalidField';
    throw new ApiError(400, code, `"${field}" ${error.message}.`, field);
  }
  const job = newAdhocJob({ stream, from, to, filters, formats: parsed.data.formats ?? [...deps.defaultFormats] }, deps.now());
  if (!(await deps.jobs.insertIfAbsent(job))) throw new Error(`On-demand job id ${job.jobId} already exists`);
  const plan = compileExportFilters(stream, filters);
  const href = `/api/exports/${job.jobId}`;
  return {
    response: {
      ...json(202, {
        jobId: job.jobId,
        href,
        stream,
        kind: job.kind,
        status: job.status,
        window: { start: formatInstant(from), end: formatInstant(to) },
        formats: job.formats,
        filters,
        filterPlan: { graphFilter: plan.graphFilter ?? null, sentToGraph: plan.sentToGraph, appliedWhileWriting: plan.appliedWhileWriting },
        requestedBy: caller.name,
        createdAt: job.createdAt,
      }),
      headers: { 'Cache-Control': 'no-store', Location: href },
    },
    messages: [{ jobId: job.jobId, continuation: 0 }],
  };
}
