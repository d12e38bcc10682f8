/**
 * A small index of the jobs that are not settled (every status but `succeeded` and `empty`: queued, running, failed,
 * lost to retention, and whatever unsettled state job.ts adds), so stream health and the planner's sweep read only
 * those jobs instead of scanning every job row of the table's one partition.
 *
 * One index row per unsettled job, in the same partition as the job rows, keyed
 * `~ix|{status}|{stream}|{job row key}`: a status, or a status and a stream, is one row-key range. JobRepository
 * writes the index row in the same entity-group transaction as the job row (insert, and every etag-guarded update),
 * so the two never disagree. Job row keys start with a digit and index keys with `~`, so queries over job rows add
 * `RowKey lt '~'` (JOB_ROWS_ONLY) and never see an index row.
 *
 * Jobs written before the index existed are indexed once by `ensureBuilt` (a marker row records it).
 */
import { odata, TableClient, TransactionAction } from '@azure/data-tables';
import { JOB_STATUSES, JobKind, JobStatus } from '../export/job';
import type { ExportJob } from '../export/job';
import { jobRowKey } from '../export/jobIds';
import type { StreamId } from '../streams/catalog';
import { isNotFound, isPreconditionFailed } from './tableErrors';

/** Row-key filter that keeps job rows and leaves index rows out. */
export const JOB_ROWS_ONLY = "RowKey lt '~'";

const PREFIX = '~ix|';
const MARKER_ROW = '~ixmeta';
const INDEX_VERSION = 1;

/** Statuses the index keeps: the ones a job can still leave, or that an operator must see. */
export const INDEXED_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((status) => status !== 'succeeded' && status !== 'empty');

export function isIndexed(status: JobStatus): boolean {
  return INDEXED_STATUSES.includes(status);
}

/** What an index row tells without reading the job row. */
export interface JobIndexEntry {
  jobId: string;
  kind: JobKind;
  stream: StreamId;
  status: JobStatus;
  windowStart: string;
  windowEnd: string;
  queuedAt: string;
  updatedAt: string;
  leaseExpiresAt?: string;
  lastErrorCode?: string;
  /** The index row's own etag (see `removeStale`). */
  etag?: string;
}

/**
 * The stored index row. Its properties carry an `ix` prefix, so a query over job properties (`status eq 'failed'`)
 * can never match an index row even without JOB_ROWS_ONLY.
 */
type IndexEntity = Record<string, unknown> & {
  partitionKey: string;
  rowKey: string;
  ixJobId: string;
  ixKind: string;
  ixStream: string;
  ixStatus: string;
  ixWindowStart: string;
  ixWindowEnd: string;
  ixQueuedAt: string;
  ixUpdatedAt: string;
  ixLeaseExpiresAt?: string;
  ixLastErrorCode?: string;
};

export function indexRowKey(status: JobStatus, stream: StreamId, jobRowKey: string): string {
  return `${PREFIX}${status}|${stream}|${jobRowKey}`;
}

/**
 * The index actions that go with writing `job` over a stored row whose status was `previous` (undefined for a new
 * row): remove the old status's row, write the current one (its lease and queue times change on every update).
 */
export function indexActions(partitionKey: string, jobRowKey: string, previous: JobStatus | undefined, job: ExportJob): TransactionAction[] {
  const actions: TransactionAction[] = [];
  if (previous !== undefined && previous !== job.status && isIndexed(previous)) {
    actions.push(['delete', { partitionKey, rowKey: indexRowKey(previous, job.stream, jobRowKey) }]);
  }
  if (isIndexed(job.status)) actions.push(['upsert', indexEntity(partitionKey, jobRowKey, job), 'Replace']);
  return actions;
}

function indexEntity(partitionKey: string, jobRowKey: string, job: ExportJob): IndexEntity {
  const entity: IndexEntity = {
    partitionKey,
    rowKey: indexRowKey(job.status, job.stream, jobRowKey),
    ixJobId: job.jobId,
    ixKind: job.kind,
    ixStream: job.stream,
    ixStatus: job.status,
    ixWindowStart: job.windowStart,
    ixWindowEnd: job.windowEnd,
    ixQueuedAt: job.queuedAt,
    ixUpdatedAt: job.updatedAt,
  };
  if (job.leaseExpiresAt) entity.ixLeaseExpiresAt = job.leaseExpiresAt;
  if (job.lastError) entity.ixLastErrorCode = job.lastError.code;
  return entity;
}

export class JobStatusIndex {
  constructor(
    private readonly table: TableClient,
    private readonly partitionKey: string,
  ) {}

  /** Index entries of one status (and stream), in row-key order: newest window first within a stream. */
  async *entries(status: JobStatus, stream?: StreamId): AsyncIterable<JobIndexEntry> {
    const prefix = stream ? `${PREFIX}${status}|${stream}|` : `${PREFIX}${status}|`;
    // `}` follows `|`: [prefix, prefix-with-`}`) is exactly the keys that start with prefix.
    const upper = `${prefix.slice(0, -1)}}`;
    const filter = odata`PartitionKey eq ${this.partitionKey} and RowKey ge ${prefix} and RowKey lt ${upper}`;
    for await (const entity of this.table.listEntities<IndexEntity>({ queryOptions: { filter } })) yield fromEntity(entity);
  }

  /**
   * Removes an index row found not to match its job (left by a write that raced the one-off build). Guarded by the
   * row's etag: every legitimate change of the job's status deletes or rewrites its index rows in the same
   * transaction, so a row still at the etag that was read is stale, and a rewritten one is left alone.
   */
  async removeStale(entry: JobIndexEntry, jobRowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(this.partitionKey, indexRowKey(entry.status, entry.stream, jobRowKey), { etag: entry.etag ?? '*' });
    } catch (error) {
      if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
    }
  }

  /**
   * Indexes jobs written before the index existed, once per table: every unsettled job row gets its index row, then
   * a marker row says it is done. Safe to run from several instances at once (upserts of the same rows).
   */
  async ensureBuilt(allJobs: () => AsyncIterable<ExportJob>): Promise<number> {
    try {
      const marker = await this.table.getEntity<{ version?: number }>(this.partitionKey, MARKER_ROW);
      if ((marker.version ?? 0) >= INDEX_VERSION) return 0;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    let indexed = 0;
    for await (const job of allJobs()) {
      if (!isIndexed(job.status)) continue;
      await this.table.upsertEntity(indexEntity(this.partitionKey, jobRowKey(job.jobId), job), 'Replace');
      indexed++;
    }
    await this.table.upsertEntity({ partitionKey: this.partitionKey, rowKey: MARKER_ROW, version: INDEX_VERSION, builtAt: new Date().toISOString() }, 'Replace');
    return indexed;
  }
}

function fromEntity(entity: IndexEntity & { etag?: string }): JobIndexEntry {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    jobId: entity.ixJobId,
    kind: entity.ixKind === 'adhoc' ? 'adhoc' : 'scheduled',
    stream: entity.ixStream as StreamId,
    status: entity.ixStatus as JobStatus,
    windowStart: entity.ixWindowStart,
    windowEnd: entity.ixWindowEnd,
    queuedAt: entity.ixQueuedAt,
    updatedAt: entity.ixUpdatedAt,
    leaseExpiresAt: text(entity.ixLeaseExpiresAt),
    lastErrorCode: text(entity.ixLastErrorCode),
    etag: entity.etag,
  };
}
