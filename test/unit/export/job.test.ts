import { claim, complete, decideClaim, emptyCounts, ExportJob, fail, JobResult, loseToRetention, requeue, retryAfterFailure, yieldForContinuation } from '../../../src/export/job';
import { completePass, recheckUnchanged, rerun, startRecheck } from '../../../src/export/revisions';

const base: ExportJob = {
  jobId: 'audit-20261127T1000Z', kind: 'scheduled', stream: 'audit', windowStart: '2026-11-27T10:00:00.0000000Z', windowEnd: '2026-11-27T11:00:00.0000000Z',
  formats: ['jsonl.gz'], status: 'queued', createdAt: '', updatedAt: '', queuedAt: '', leaseEpoch: 0, invocations: 0, continuations: 0, licenceFailures: 0, revision: 1, mode: 'export', rechecked: false,
};
const now = new Date('2026-11-27T12:00:00Z');

describe('job transitions', () => {
  it('a claim takes a lease and a new epoch; a live lease makes other deliveries duplicates', () => {
    const running = claim(base, 'inv-1', now, 600);
    expect(running).toMatchObject({ status: 'running', leaseOwner: 'inv-1', leaseEpoch: 1, invocations: 1 });
    expect(decideClaim(running, new Date(now.getTime() + 1000)).kind).toBe('busy');
    expect(decideClaim(running, new Date(now.getTime() + 601_000)).kind).toBe('claim');
  });
  it('finished jobs are never claimed again', () => {
    const done = complete(claim(base, 'i', now, 60), { counts: { ...emptyCounts(), records: 3 }, files: [], manifestBlob: 'm', idDigest: '0' }, now);
    expect(done.status).toBe('succeeded');
    expect(decideClaim(done, now).kind).toBe('finished');
    expect(complete(base, { counts: emptyCounts(), files: [], manifestBlob: 'm', idDigest: '0' }, now).status).toBe('empty');
  });
  it('yields to a continuation and records why a job failed', () => {
    const y = yieldForContinuation(claim(base, 'i', now, 60), now);
    expect(y).toMatchObject({ status: 'queued', continuations: 1, leaseOwner: undefined });
    expect(loseToRetention(base, { code: 'OutsideRetention', message: 'm', at: '' }, now)).toMatchObject({ status: 'lostToRetention', checkpoint: undefined });
    const failed = fail(base, { code: 'GraphError', message: 'm', at: '' }, now);
    expect(failed.status).toBe('failed');
    expect(requeue(failed, now)).toMatchObject({ status: 'queued', finishedAt: undefined });
  });
  it('an automatic retry of a failed job counts itself and clears its due time', () => {
    const failed = fail(base, { code: 'GraphUnavailable', message: 'm', at: '' }, now, new Date(now.getTime() + 900_000));
    expect(failed).toMatchObject({ status: 'failed', retryAt: '2026-11-27T12:15:00.000Z' });
    expect(retryAfterFailure(failed, now)).toMatchObject({ status: 'queued', autoRetries: 1, retryAt: undefined });
    expect(() => retryAfterFailure(base, now)).toThrow(/only failed jobs/);
  });
  it('a re-check keeps the current files unless the records changed', () => {
    const done = complete(claim(base, 'i', now, 60), { revision: 1, counts: { ...emptyCounts(), records: 3 }, files: [], manifestBlob: 'm', idDigest: 'abc' }, now);
    const checking = startRecheck(done, now);
    expect(checking).toMatchObject({ status: 'queued', mode: 'recheck', revision: 2, rechecks: 1, rechecked: true, previous: { revision: 1, records: 3, idDigest: 'abc' } });
    expect(checking.result).toBe(done.result);
    expect(recheckUnchanged(claim(checking, 'j', now, 60), now)).toMatchObject({ status: 'succeeded', revision: 1, mode: 'export', rechecked: true, lastRecheckFound: 0 });
    const written: JobResult = { revision: 2, counts: { ...emptyCounts(), records: 4 }, files: [], manifestBlob: 'm2', idDigest: 'def', comparison: { previousRevision: 1, matched: 3, added: 1, changed: 0, missing: 0 } };
    const changed = completePass(claim(checking, 'j', now, 60), written, now);
    expect(changed).toMatchObject({ status: 'succeeded', revision: 2, result: { revision: 2 }, mode: 'export', lateRecordsFound: 1, lastRecheckFound: 1, notice: undefined });
    expect(changed.revisions).toEqual([{ role: 'superseded', status: 'succeeded', result: { ...done.result, revision: 1 } }]);
  });

  it('a re-run that lacks records of the served revision keeps both, and the job says so', () => {
    const done = complete(claim(base, 'i', now, 60), { revision: 1, counts: { ...emptyCounts(), records: 5 }, files: [], manifestBlob: 'm', idDigest: 'abc' }, now);
    const again = rerun(done, now);
    expect(again).toMatchObject({ status: 'queued', mode: 'rerun', revision: 2, previous: { revision: 1, records: 5 }, result: done.result });
    const smaller: JobResult = { revision: 2, counts: { ...emptyCounts(), records: 4 }, files: [], manifestBlob: 'm2', idDigest: 'x', comparison: { previousRevision: 1, matched: 3, added: 1, changed: 0, missing: 2 } };
    const kept = completePass(claim(again, 'j', now, 60), smaller, now);
    expect(kept).toMatchObject({ status: 'succeeded', result: { revision: 1, manifestBlob: 'm' }, notice: { code: 'RevisionsKept', message: expect.stringMatching(/lacks 2 record\(s\) of revision 1/) } });
    expect(kept.revisions).toEqual([{ role: 'kept', status: 'succeeded', result: smaller }]);
    // The next pass gets a fresh number.
    expect(rerun(kept, now).revision).toBe(3);
  });

  it('a pass that starts over after reaching finalizing never reuses names whose files may be committed', () => {
    const finalizing = { phase: 'finalizing' as const, idsAtCursor: [], files: {}, counts: emptyCounts(), idDigest: '0', startedAt: '' };
    const error = { code: 'StorageUnavailable', message: 'm', at: '' };
    // A first export that failed after its last page: a re-run reads the window again as revision 2.
    const failed = fail({ ...claim(base, 'i', now, 60), checkpoint: finalizing }, error, now);
    expect(rerun(failed, now)).toMatchObject({ status: 'queued', mode: 'export', revision: 2, checkpoint: undefined });
    // One that failed while paging has committed nothing: same revision, checkpoint dropped.
    const paging = fail({ ...claim(base, 'i', now, 60), checkpoint: { ...finalizing, phase: 'paging' } }, error, now);
    expect(rerun(paging, now)).toMatchObject({ revision: 1, checkpoint: undefined });
    // The re-check of a failed first export reads the window again from its end, as a re-run: late records may have
    // arrived where the failed pass had already read.
    expect(startRecheck(failed, now)).toMatchObject({ status: 'queued', mode: 'export', revision: 2, checkpoint: undefined, rechecks: 1 });
    expect(startRecheck(paging, now)).toMatchObject({ revision: 1, checkpoint: undefined, rechecks: 1 });
    const refused = fail({ ...claim(base, 'i', now, 60), checkpoint: finalizing }, { ...error, code: 'ExportImmutable' }, now);
    expect(startRecheck(refused, now)).toMatchObject({ revision: 2, checkpoint: undefined, rechecks: 1 });
    // A failed re-run pass (revision 2) that reached finalizing: the next pass takes 3.
    const done = complete(claim(base, 'i', now, 60), { revision: 1, counts: { ...emptyCounts(), records: 5 }, files: [], manifestBlob: 'm', idDigest: 'abc' }, now);
    const pass = fail({ ...claim(rerun(done, now), 'j', now, 60), checkpoint: finalizing }, error, now);
    expect(pass.revision).toBe(2);
    expect(rerun(pass, now)).toMatchObject({ mode: 'rerun', revision: 3, previous: { revision: 1 } });
  });
});
