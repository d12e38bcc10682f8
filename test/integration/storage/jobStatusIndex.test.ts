/**
 * The job-status index against Azurite: one index row per unsettled job, written in the same transaction as the job
 * row, read by status and stream without scanning job rows; rows written before the index are indexed once; a stale
 * index row is skipped and removed, never returned as a job.
 */
import { odata, TableClient } from '@azure/data-tables';
import { newAdhocJob } from '../../../src/export/adhocJobs';
import { claim, complete, emptyCounts, ExportJob, fail, requeue } from '../../../src/export/job';
import { jobRowKey } from '../../../src/export/jobIds';
import { loadConfig } from '../../../src/config';
import { newScheduledJob } from '../../../src/export/planner';
import { createStorageClients } from '../../../src/storage/clients';
import { JobConcurrencyError, JobRepository, JOBS_PARTITION } from '../../../src/storage/jobRepository';
import { indexRowKey, JobIndexEntry } from '../../../src/storage/jobStatusIndex';
import { StreamId } from '../../../src/streams/catalog';
import { parseInstant } from '../../../src/time/instant';
import { azuriteConnectionString, uniqueName } from '../../support/azurite';

const NOW = new Date('2026-11-28T12:00:00Z');
const config = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });

async function newTable(): Promise<TableClient> {
  const table = createStorageClients({ connectionString: azuriteConnectionString() }).table(uniqueName('jobs'));
  await table.createTable();
  return table;
}

function windowJob(stream: StreamId, hour: number): ExportJob {
  const start = parseInstant(`2026-11-28T${String(hour).padStart(2, '0')}:00:00Z`);
  return newScheduledJob(config, stream, start, start + 36_000_000_000n, NOW);
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function indexRows(table: TableClient): Promise<string[]> {
  const rows: string[] = [];
  for await (const e of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${JOBS_PARTITION} and RowKey ge ${'~ix|'}` } })) rows.push(e.rowKey as string);
  return rows.sort();
}

const result = { counts: emptyCounts(), files: [], manifestBlob: 'm', idDigest: 'd' };

describe('job-status index', () => {
  it('follows every status change in the same write: queued → running → queued → running → succeeded; failed stays', async () => {
    const table = await newTable();
    const jobs = new JobRepository(table);
    const a = windowJob('audit', 1);
    const b = windowJob('interactiveSignIns', 1);
    expect(await jobs.insertIfAbsent(a)).toBe(true);
    expect(await jobs.insertIfAbsent(a)).toBe(false);
    await jobs.insertIfAbsent(b);
    const key = (status: string, job: ExportJob) => indexRowKey(status as never, job.stream, jobRowKey(job.jobId));
    expect(await indexRows(table)).toEqual([key('queued', a), key('queued', b)].sort());

    let stored = (await jobs.get(a.jobId)) as ExportJob;
    stored = await jobs.update(claim(stored, 'inv-1', NOW, 600));
    expect(await indexRows(table)).toEqual([key('queued', b), key('running', a)].sort());
    stored = await jobs.update(requeue(stored, NOW));
    stored = await jobs.update(claim(stored, 'inv-2', NOW, 600));
    await jobs.update(complete(stored, { ...result, counts: { ...emptyCounts(), records: 3 } }, NOW));
    expect(await indexRows(table)).toEqual([key('queued', b)]);

    let other = (await jobs.get(b.jobId)) as ExportJob;
    other = await jobs.update(claim(other, 'inv-3', NOW, 600));
    await jobs.update(fail(other, { code: 'PermissionMissing', message: 'grant it', at: NOW.toISOString() }, NOW));
    expect(await indexRows(table)).toEqual([key('failed', b)]);
    const failed = await all(jobs.indexEntries('failed', 'interactiveSignIns'));
    expect(failed).toMatchObject([{ jobId: b.jobId, status: 'failed', lastErrorCode: 'PermissionMissing', kind: 'scheduled' }]);
    expect(await all(jobs.indexEntries('failed', 'audit'))).toEqual([]);
    expect((await all(jobs.listFailed('interactiveSignIns', 'PermissionMissing'))).map((j) => j.jobId)).toEqual([b.jobId]);
    expect(await all(jobs.listFailed('interactiveSignIns', 'TenantNotLicensed'))).toEqual([]);
  });

  it('a write with a stale etag changes neither the job nor the index', async () => {
    const table = await newTable();
    const jobs = new JobRepository(table);
    const job = windowJob('audit', 2);
    await jobs.insertIfAbsent(job);
    const first = (await jobs.get(job.jobId)) as ExportJob;
    await jobs.update(claim(first, 'inv-1', NOW, 600));
    await expect(jobs.update(claim(first, 'inv-2', NOW, 600))).rejects.toBeInstanceOf(JobConcurrencyError);
    expect(await indexRows(table)).toEqual([indexRowKey('running', 'audit', jobRowKey(job.jobId))]);
    expect((await jobs.get(job.jobId))?.leaseOwner).toBe('inv-1');
    // A repository that never read the row (another instance) still replaces the right index row.
    const elsewhere = new JobRepository(table);
    const current = (await elsewhere.get(job.jobId)) as ExportJob;
    await new JobRepository(table).update(requeue(current, NOW));
    expect(await indexRows(table)).toEqual([indexRowKey('queued', 'audit', jobRowKey(job.jobId))]);
  });

  it('lists never return index rows; listActive reads only active jobs through the index', async () => {
    const table = await newTable();
    const jobs = new JobRepository(table);
    const queued = windowJob('audit', 3);
    const running = windowJob('provisioning', 3);
    const done = windowJob('audit', 4);
    for (const job of [queued, running, done]) await jobs.insertIfAbsent(job);
    await jobs.update(claim((await jobs.get(running.jobId)) as ExportJob, 'inv', NOW, 600));
    const d = await jobs.update(claim((await jobs.get(done.jobId)) as ExportJob, 'inv', NOW, 600));
    await jobs.update(complete(d, { ...result, counts: { ...emptyCounts(), records: 1 } }, NOW));
    const adhoc = newAdhocJob({ stream: 'audit', from: parseInstant('2026-11-28T01:00:00Z'), to: parseInstant('2026-11-28T02:00:00Z'), filters: { category: 'Policy' }, formats: ['csv'] }, NOW);
    await jobs.insertIfAbsent(adhoc);
    expect((await jobs.listAll()).map((j) => j.jobId).sort()).toEqual([queued, running, done, adhoc].map((j) => j.jobId).sort());
    expect((await jobs.listAll({ status: 'queued' })).map((j) => j.jobId).sort()).toEqual([queued.jobId, adhoc.jobId].sort());
    // Even a query that forgets the row-key range cannot match an index row on a job property.
    const leaked: string[] = [];
    for await (const e of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${JOBS_PARTITION} and status eq ${'queued'}` } })) leaked.push(e.rowKey as string);
    expect(leaked.every((key) => !key.startsWith('~'))).toBe(true);
    expect((await jobs.get(adhoc.jobId))?.filters).toEqual({ category: 'Policy' });
    expect((await all(jobs.listActive())).map((j) => `${j.jobId}:${j.status}`).sort()).toEqual(
      [`${queued.jobId}:queued`, `${adhoc.jobId}:queued`, `${running.jobId}:running`].sort(),
    );
    const seen: JobIndexEntry[] = [];
    const picked = await all(jobs.listActive((entry) => (seen.push(entry), entry.stream === 'provisioning')));
    expect(picked.map((j) => j.jobId)).toEqual([running.jobId]);
    expect(seen.find((e) => e.jobId === running.jobId)).toMatchObject({ status: 'running', leaseExpiresAt: expect.any(String), windowStart: running.windowStart });
  });

  it('indexes job rows written before the index once, and updates them although their old index row is missing', async () => {
    const table = await newTable();
    const legacy = [windowJob('audit', 5), windowJob('audit', 6), windowJob('managedIdentitySignIns', 5)];
    // Rows as an earlier version wrote them: a plain create, no index row.
    const writer = new JobRepository(table);
    for (const job of legacy) await writer.insertIfAbsent(job);
    for await (const e of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${JOBS_PARTITION} and RowKey ge ${'~'}` } })) {
      await table.deleteEntity(JOBS_PARTITION, e.rowKey as string);
    }
    const finished = await writer.update(claim((await writer.get(legacy[1].jobId)) as ExportJob, 'x', NOW, 600));
    await writer.update(complete(finished, { ...result, counts: { ...emptyCounts(), records: 1 } }, NOW));
    // The claim above wrote a running row and complete removed it: the table holds no index rows and no marker.
    expect(await indexRows(table)).toEqual([]);

    const jobs = new JobRepository(table);
    expect((await all(jobs.indexEntries('queued'))).map((e) => e.jobId).sort()).toEqual([legacy[0].jobId, legacy[2].jobId].sort());
    // Built once: a second repository (another instance) finds the marker and builds nothing.
    const mustNotScan = (): AsyncIterable<ExportJob> => ({ [Symbol.asyncIterator]: () => { throw new Error('must not scan'); } });
    expect(await new JobRepository(table).index.ensureBuilt(mustNotScan)).toBe(0);

    // A legacy row whose index row is missing (written while the build ran) still updates cleanly.
    await table.deleteEntity(JOBS_PARTITION, indexRowKey('queued', 'audit', jobRowKey(legacy[0].jobId)));
    const fresh = new JobRepository(table);
    const row = (await fresh.get(legacy[0].jobId)) as ExportJob;
    await fresh.update(claim(row, 'inv', NOW, 600));
    expect(await indexRows(table)).toEqual([indexRowKey('queued', 'managedIdentitySignIns', jobRowKey(legacy[2].jobId)), indexRowKey('running', 'audit', jobRowKey(legacy[0].jobId))].sort());
  });

  it('skips and removes an index row that no longer matches its job, and leaves a rewritten one alone', async () => {
    const table = await newTable();
    const jobs = new JobRepository(table);
    const job = windowJob('audit', 7);
    await jobs.insertIfAbsent(job);
    await jobs.ensureIndex();
    // A stale row, as a write racing the one-off build could leave: the job is queued, the index also says running.
    await table.upsertEntity({ partitionKey: JOBS_PARTITION, rowKey: indexRowKey('running', 'audit', jobRowKey(job.jobId)), ixJobId: job.jobId, ixKind: 'scheduled', ixStream: 'audit', ixStatus: 'running', ixWindowStart: job.windowStart, ixWindowEnd: job.windowEnd, ixQueuedAt: job.queuedAt, ixUpdatedAt: job.updatedAt });
    expect((await all(jobs.listActive())).map((j) => `${j.jobId}:${j.status}`)).toEqual([`${job.jobId}:queued`]);
    expect(await indexRows(table)).toEqual([indexRowKey('queued', 'audit', jobRowKey(job.jobId))]);
    // An entry that was rewritten after it was read (the job moved on and back) is not removed.
    const [entry] = await all(jobs.indexEntries('queued'));
    const claimed = await jobs.update(claim((await jobs.get(job.jobId)) as ExportJob, 'inv', NOW, 600));
    await jobs.update(requeue(claimed, NOW));
    await jobs.index.removeStale(entry, jobRowKey(job.jobId));
    expect(await indexRows(table)).toEqual([indexRowKey('queued', 'audit', jobRowKey(job.jobId))]);
  });
});
