/**
 * The `jobs` table. One row per export job, keyed so that key order is newest window first. Every write that
 * follows a read is guarded by the row's etag: two invocations can never both believe they hold a job.
 */
import { odata, TableClient } from '@azure/data-tables';
import type { FormatId } from '../config';
import type { ExportFilters } from '../export/filters';
import type { ExportJob, JobCheckpoint, JobResult, JobStatus, PreviousRevision, RevisionEntry } from '../export/job';
import { jobRowKey } from '../export/jobIds';
import type { StreamId } from '../streams/catalog';
import { readChunked, writeChunked } from './chunkedProperty';
import { indexActions, JOB_ROWS_ONLY, JobIndexEntry, JobStatusIndex } from './jobStatusIndex';
import { isConflict, isNotFound, isPreconditionFailed } from './tableErrors';

export const JOBS_PARTITION = 'jobs';

/** Another invocation changed the row since it was read (lost lease, concurrent claim). */
export class JobConcurrencyError extends Error {
  constructor(readonly jobId: string) {
    super(`Job ${jobId} was changed by another invocation`);
    this.name = 'JobConcurrencyError';
  }
}

export interface JobListQuery {
  stream?: StreamId;
  status?: JobStatus;
  /** Window start at or after (7-digit ISO). */
  from?: string;
  /** Window start before (7-digit ISO). */
  to?: string;
  kind?: 'scheduled' | 'adhoc';
  limit: number;
  continuationToken?: string;
}

export interface JobPage {
  jobs: ExportJob[];
  continuationToken?: string;
}

type JobEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** How many row versions' statuses are remembered (see `statusAt`). */
const STATUS_CACHE_SIZE = 4096;

export class JobRepository {
  /** The status index (src/storage/jobStatusIndex.ts), written in the same transactions as the job rows. */
  readonly index: JobStatusIndex;
  /** Status of the stored row at each etag this process read or wrote: which index row an update replaces. */
  private readonly statusByEtag = new Map<string, JobStatus>();
  private indexBuilt?: Promise<unknown>;

  constructor(private readonly table: TableClient) {
    this.index = new JobStatusIndex(table, JOBS_PARTITION);
  }

  async get(jobId: string): Promise<ExportJob | undefined> {
    try {
      const entity = await this.table.getEntity<JobEntity>(JOBS_PARTITION, jobRowKey(jobId));
      return this.remember(fromEntity(entity));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Creates the job (and its index row) unless a row with its id exists. True when this call created it. */
  async insertIfAbsent(job: ExportJob): Promise<boolean> {
    const rowKey = jobRowKey(job.jobId);
    try {
      await this.table.submitTransaction([['create', toEntity(job)], ...indexActions(JOBS_PARTITION, rowKey, undefined, job)]);
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /** Replaces the row (and its index row) if it still has `job.etag`; returns the job with its new etag. */
  async update(job: ExportJob): Promise<ExportJob> {
    if (!job.etag) throw new Error(`Job ${job.jobId} has no etag: read it before updating`);
    const rowKey = jobRowKey(job.jobId);
    const previous = await this.statusAt(job.jobId, job.etag);
    const write = (from: JobStatus | undefined) =>
      this.table.submitTransaction([['update', toEntity(job), 'Replace', { etag: job.etag }], ...indexActions(JOBS_PARTITION, rowKey, from, job)]);
    let response;
    try {
      response = await write(previous);
    } catch (error) {
      if (isPreconditionFailed(error)) throw new JobConcurrencyError(job.jobId);
      if (!isNotFound(error)) throw error;
      // The job row is gone or changed, or the old index row is missing (a row the one-off index build had not seen).
      if ((await this.get(job.jobId))?.etag !== job.etag) throw new JobConcurrencyError(job.jobId);
      try {
        response = await write(undefined);
      } catch (retryError) {
        if (isPreconditionFailed(retryError) || isNotFound(retryError)) throw new JobConcurrencyError(job.jobId);
        throw retryError;
      }
    }
    const etag = response.subResponses.find((r) => r.rowKey === rowKey)?.etag ?? response.subResponses[0]?.etag;
    return this.remember({ ...job, etag });
  }

  /** Jobs of one status (and stream) through the status index: only unsettled statuses are indexed. */
  async *indexEntries(status: JobStatus, stream?: StreamId): AsyncIterable<JobIndexEntry> {
    await this.ensureIndex();
    yield* this.index.entries(status, stream);
  }

  /** Indexes rows written before the index existed, once per table (a marker row records it). */
  ensureIndex(): Promise<unknown> {
    this.indexBuilt ??= this.index.ensureBuilt(() => this.scanJobs()).catch((error: unknown) => {
      this.indexBuilt = undefined;
      throw error;
    });
    return this.indexBuilt;
  }

  /** The stored status at `etag`: remembered from the read that produced it, else read again. */
  private async statusAt(jobId: string, etag: string): Promise<JobStatus> {
    const known = this.statusByEtag.get(etag);
    if (known) return known;
    const stored = await this.get(jobId);
    if (!stored || stored.etag !== etag) throw new JobConcurrencyError(jobId);
    return stored.status;
  }

  private remember(job: ExportJob): ExportJob {
    if (job.etag) {
      if (this.statusByEtag.size >= STATUS_CACHE_SIZE) this.statusByEtag.delete(this.statusByEtag.keys().next().value as string);
      this.statusByEtag.set(job.etag, job.status);
    }
    return job;
  }

  private async *scanJobs(): AsyncIterable<ExportJob> {
    const filter = odata`PartitionKey eq ${JOBS_PARTITION}` + ` and ${JOB_ROWS_ONLY}`;
    for await (const entity of this.table.listEntities<JobEntity>({ queryOptions: { filter } })) yield fromEntity(entity);
  }

  async list(query: JobListQuery): Promise<JobPage> {
    const clauses = [odata`PartitionKey eq ${JOBS_PARTITION}`, JOB_ROWS_ONLY];
    if (query.stream) clauses.push(odata`stream eq ${query.stream}`);
    if (query.status === 'lostToRetention') clauses.push(odata`(status eq ${'lostToRetention'} or status eq ${LEGACY_LOST_STATUS})`);
    else if (query.status) clauses.push(odata`status eq ${query.status}`);
    if (query.kind) clauses.push(odata`kind eq ${query.kind}`);
    if (query.from) clauses.push(odata`windowStart ge ${query.from}`);
    if (query.to) clauses.push(odata`windowStart lt ${query.to}`);
    const pages = this.table
      .listEntities<JobEntity>({ queryOptions: { filter: clauses.join(' and ') } })
      .byPage({ maxPageSize: query.limit, continuationToken: query.continuationToken });
    const first = await pages.next();
    if (first.done || !first.value) return { jobs: [] };
    const page = first.value as unknown as Array<JobEntity & { etag?: string }> & { continuationToken?: string };
    return { jobs: page.map((entity) => this.remember(fromEntity(entity))), continuationToken: page.continuationToken };
  }

  /** Every job, newest window first (verification tools and tests). */
  async listAll(query: Omit<JobListQuery, 'limit' | 'continuationToken'> = {}): Promise<ExportJob[]> {
    const jobs: ExportJob[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.list({ ...query, limit: 1000, continuationToken });
      jobs.push(...page.jobs);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return jobs;
  }

  /**
   * Jobs that are queued or running: what the planner's sweep inspects. Read through the status index, so the cost
   * follows the number of active jobs, not of all jobs; `isCandidate` skips entries without reading their job row.
   */
  async *listActive(isCandidate: (entry: JobIndexEntry) => boolean = () => true): AsyncIterable<ExportJob> {
    for (const status of ['queued', 'running'] as const) yield* this.jobsOf(status, undefined, isCandidate);
  }

  /**
   * Finished windows of a stream (succeeded, empty, or failed without a pending automatic retry) with window end in
   * [from, to), that the re-check pass has not read yet (`again`: read once, and that pass found late records).
   */
  async *listRecheckCandidates(stream: StreamId, fromEnd: string, toEnd: string, again = false): AsyncIterable<ExportJob> {
    const pass = again ? odata`rechecks eq ${1} and lastRecheckFound gt ${0}` : odata`rechecked eq ${false}`;
    const filter = odata`PartitionKey eq ${JOBS_PARTITION} and stream eq ${stream} and kind eq ${'scheduled'} and (status eq ${'succeeded'} or status eq ${'empty'} or status eq ${'failed'}) and windowEnd ge ${fromEnd} and windowEnd lt ${toEnd}`;
    for await (const entity of this.table.listEntities<JobEntity>({ queryOptions: { filter: `${filter} and ${pass} and ${JOB_ROWS_ONLY}` } })) {
      const job = this.remember(fromEntity(entity));
      if (job.status === 'failed' && job.retryAt) continue; // its automatic retry comes anyway
      yield job;
    }
  }

  /** Jobs queued, running or failed whose window starts before `beforeIso` (the retention sweep), through the index. */
  async *listUnfinishedBefore(beforeIso: string): AsyncIterable<ExportJob> {
    for (const status of ['queued', 'running', 'failed'] as const) yield* this.jobsOf(status, undefined, (entry) => entry.windowStart < beforeIso);
  }

  /** Failed jobs whose automatic retry is due (`retryAt` at or before `nowIso`). */
  async *listDueRetries(nowIso: string): AsyncIterable<ExportJob> {
    for await (const job of this.jobsOf('failed', undefined, () => true)) if (job.retryAt && job.retryAt <= nowIso) yield job;
  }

  /** Failed jobs of a stream with a given error code (recovery after a licence or permission fix). */
  async *listFailed(stream: StreamId, code: string): AsyncIterable<ExportJob> {
    yield* this.jobsOf('failed', stream, (entry) => entry.lastErrorCode === code);
  }

  /**
   * The jobs behind index entries, read one by one. An entry whose job row is gone or has another status (a write
   * that raced the one-off index build) is removed instead of returned.
   */
  private async *jobsOf(status: JobStatus, stream: StreamId | undefined, isCandidate: (entry: JobIndexEntry) => boolean): AsyncIterable<ExportJob> {
    for await (const entry of this.indexEntries(status, stream)) {
      if (!isCandidate(entry)) continue;
      const job = await this.get(entry.jobId);
      if (job?.status === status) yield job;
      else await this.index.removeStale(entry, jobRowKey(entry.jobId));
    }
  }
}

/** Rows written before `lostToRetention` had its name say `outsideRetention`. */
const LEGACY_LOST_STATUS = 'outsideRetention';

function statusOf(stored: string | undefined): JobStatus {
  return (stored === LEGACY_LOST_STATUS ? 'lostToRetention' : stored) as JobStatus;
}

function toEntity(job: ExportJob): JobEntity {
  const entity: JobEntity = {
    partitionKey: JOBS_PARTITION,
    rowKey: jobRowKey(job.jobId),
    jobId: job.jobId,
    kind: job.kind,
    stream: job.stream,
    windowStart: job.windowStart,
    windowEnd: job.windowEnd,
    formats: job.formats.join(','),
    status: job.status,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    queuedAt: job.queuedAt,
    leaseEpoch: job.leaseEpoch,
    invocations: job.invocations,
    continuations: job.continuations,
    licenceFailures: job.licenceFailures,
    revision: job.revision,
    mode: job.mode,
    rechecked: job.rechecked,
    rechecks: job.rechecks ?? (job.rechecked ? 1 : 0),
  };
  if (job.lastRecheckFound) entity.lastRecheckFound = job.lastRecheckFound;
  if (job.lateRecordsFound) entity.lateRecordsFound = job.lateRecordsFound;
  if (job.notice) entity.notice = JSON.stringify(job.notice);
  if (job.revisions?.length) Object.assign(entity, writeChunked('revisions', JSON.stringify(job.revisions)));
  if (job.previous) entity.previous = JSON.stringify(job.previous);
  if (job.filters) entity.filters = JSON.stringify(job.filters);
  if (job.leaseOwner) entity.leaseOwner = job.leaseOwner;
  if (job.leaseExpiresAt) entity.leaseExpiresAt = job.leaseExpiresAt;
  if (job.finishedAt) entity.finishedAt = job.finishedAt;
  if (job.autoRetries) entity.autoRetries = job.autoRetries;
  if (job.retryAt) entity.retryAt = job.retryAt;
  if (job.lastError) {
    entity.lastErrorCode = job.lastError.code;
    entity.lastErrorMessage = job.lastError.message.slice(0, 4000);
    entity.lastErrorAt = job.lastError.at;
  }
  if (job.result) entity.result = JSON.stringify(job.result);
  if (job.checkpoint) Object.assign(entity, writeChunked('checkpoint', JSON.stringify(job.checkpoint)));
  return entity;
}

function fromEntity(entity: JobEntity & { etag?: string }): ExportJob {
  const str = (name: string): string | undefined => (typeof entity[name] === 'string' ? (entity[name] as string) : undefined);
  const num = (name: string): number => (typeof entity[name] === 'number' ? (entity[name] as number) : 0);
  const checkpointJson = readChunked('checkpoint', entity);
  const resultJson = str('result');
  const revisionsJson = readChunked('revisions', entity);
  const code = str('lastErrorCode');
  return {
    jobId: str('jobId') ?? '',
    kind: str('kind') === 'adhoc' ? 'adhoc' : 'scheduled',
    stream: str('stream') as StreamId,
    windowStart: str('windowStart') ?? '',
    windowEnd: str('windowEnd') ?? '',
    formats: (str('formats') ?? '').split(',').filter(Boolean) as FormatId[],
    filters: str('filters') ? (JSON.parse(str('filters') as string) as ExportFilters) : undefined,
    status: statusOf(str('status')),
    createdAt: str('createdAt') ?? '',
    updatedAt: str('updatedAt') ?? '',
    queuedAt: str('queuedAt') ?? '',
    leaseOwner: str('leaseOwner'),
    leaseExpiresAt: str('leaseExpiresAt'),
    leaseEpoch: num('leaseEpoch'),
    invocations: num('invocations'),
    continuations: num('continuations'),
    licenceFailures: num('licenceFailures'),
    autoRetries: num('autoRetries'),
    retryAt: str('retryAt'),
    revision: num('revision') || 1,
    mode: str('mode') === 'recheck' ? 'recheck' : str('mode') === 'rerun' ? 'rerun' : 'export',
    rechecked: entity.rechecked === true,
    rechecks: num('rechecks') || (entity.rechecked === true ? 1 : 0),
    lastRecheckFound: num('lastRecheckFound'),
    lateRecordsFound: num('lateRecordsFound'),
    notice: str('notice') ? (JSON.parse(str('notice') as string) as ExportJob['notice']) : undefined,
    revisions: revisionsJson ? (JSON.parse(revisionsJson) as RevisionEntry[]) : undefined,
    previous: str('previous') ? (JSON.parse(str('previous') as string) as PreviousRevision) : undefined,
    checkpoint: checkpointJson ? (JSON.parse(checkpointJson) as JobCheckpoint) : undefined,
    result: resultJson ? (JSON.parse(resultJson) as JobResult) : undefined,
    lastError: code ? { code, message: str('lastErrorMessage') ?? '', at: str('lastErrorAt') ?? '' } : undefined,
    finishedAt: str('finishedAt'),
    etag: entity.etag,
  };
}
