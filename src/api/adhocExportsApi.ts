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
import { formatInstant, instantFromDate, parseInstant, TICKS_PER_MINUTE } from '../time/instant';
import { ApiAuthSettings, authorize } from './callerIdentity';
import { ApiError, ApiRequest, ApiResponse, echo, json } from './http';
import { isoInstantParam, parseQuery } from './query';
import { readJsonBody } from './requestBody';

export interface AdhocExportDeps {
  jobs: JobRepository;
  defaultFormats: readonly FormatId[];
  retentionDays: number;
  auth: ApiAuthSettings;
  now: () => Date;
}

/** An export request is a few hundred bytes; 16 KiB leaves room for long filter values and nothing else. */
export const MAX_REQUEST_BYTES = 16 * 1024;

const FIELDS = ['stream', 'from', 'to', 'filters', 'formats'] as const;

const instant = z.string().max(40).pipe(isoInstantParam).transform((text) => parseInstant(text));
const EXAMPLE = '{"stream": "audit", "from": "2026-11-28T06:00:00Z", "to": "2026-11-28T09:00:00Z", "filters": {"category": "UserManagement"}}';

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
  const caller = authorize(request, 'Exports.Run', deps.auth);
  parseQuery(z.object({}), request.query);
  // As parsed (JSON.parse keeps a "__proto__" key as an own property, which a zod record would drop).
  const raw = (await readJsonBody(request, z.unknown(), { maxBytes: MAX_REQUEST_BYTES, example: EXAMPLE })) as Record<string, unknown>;
  const unknown = Object.keys(raw).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw fieldError('UnknownField', unknown.slice(0, 50), `Unknown field ${echo(unknown, 50)}; an export request has ${FIELDS.join(', ')}.`);
  }
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('') || 'body';
    const message = raw[field] === undefined && issue.path.length === 1 ? 'is required' : issue.message;
    throw fieldError('InvalidField', field, `"${field}" ${message}.`);
  }
  const { stream, from, to } = parsed.data;
  if (to <= from) throw fieldError('InvalidField', 'to', `"to" must be after "from" (the range is [from, to), and it is ${to === from ? 'empty' : 'reversed'}).`);
  const now = instantFromDate(deps.now());
  if (to > now) throw fieldError('InvalidField', 'to', `"to" is in the future; Graph holds records up to now (${formatInstant(now - (now % TICKS_PER_MINUTE))}).`);
  const oldest = now - BigInt(deps.retentionDays) * 24n * 60n * TICKS_PER_MINUTE;
  if (from < oldest) {
    const earliest = formatInstant(oldest - (oldest % TICKS_PER_MINUTE) + TICKS_PER_MINUTE);
    throw fieldError('InvalidField', 'from', `"from" is beyond Entra's retention: Graph keeps ${deps.retentionDays} days (ENTRA_RETENTION_DAYS), so the earliest start is ${earliest}.`);
  }
  let filters;
  try {
    filters = parseExportFilters(stream, parsed.data.filters);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    const field = error.filter === 'filters' ? 'filters' : `filters.${error.filter}`;
    throw fieldError(error.reason === 'unknown' ? 'UnknownField' : 'InvalidField', field, `${echo(field, 60)} ${error.message}.`);
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

function fieldError(code: 'InvalidField' | 'UnknownField', field: string, message: string): ApiError {
  return new ApiError(400, code, message, {}, field);
}
