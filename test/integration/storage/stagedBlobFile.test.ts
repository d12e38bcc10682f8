import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { azuriteConnectionString, uniqueName } from '../../support/azurite';
import { newStagedFileState, StagedBlobFile, type StagedFileState } from '../../../src/storage/stagedBlobFile';
import { blockId } from '../../../src/storage/blockIds';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
/** What the checkpoint store does: the state goes through JSON. */
const checkpoint = (file: StagedBlobFile): StagedFileState => JSON.parse(JSON.stringify(file.state())) as StagedFileState;
const text = (value: string) => Buffer.from(value, 'utf8');

describe('StagedBlobFile', () => {
  let container: ContainerClient;

  beforeAll(async () => {
    container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(uniqueName('staged'));
    await container.create();
  });

  const download = (name: string) => container.getBlobClient(name).downloadToBuffer();

  it('survives a crash: re-stages the next block over its orphan and commits exactly the recorded blocks', async () => {
    const parts = [randomBytes(1000), randomBytes(2000), randomBytes(10)];
    const first = new StagedBlobFile(container, newStagedFileState('crash/a.jsonl', false), 1);
    expect(await first.stage(parts[0])).toBe(1000);
    expect(await first.stage(parts[1])).toBe(2000);
    first.addCounts(5, 5);
    const saved = checkpoint(first);
    // Staged but never checkpointed: the process dies before recording it.
    await first.stage(randomBytes(777));

    const resumed = new StagedBlobFile(container, saved, 1);
    expect(await resumed.stage(parts[2])).toBe(10);
    expect(await resumed.stage(new Uint8Array(0))).toBe(0);
    const state = resumed.state();
    expect(state.runs).toEqual([[1, 3]]);
    expect(state.records).toBe(5);
    // The orphan was overwritten under the same id, not added beside it.
    const staged = await container.getBlockBlobClient('crash/a.jsonl').getBlockList('uncommitted');
    expect(staged.uncommittedBlocks?.map((b) => [b.name, b.size])).toEqual([
      [blockId(1, 0), 1000],
      [blockId(1, 1), 2000],
      [blockId(1, 2), 10],
    ]);

    const result = await resumed.commit({ contentType: 'application/x-ndjson', metadata: { job: 'j1' } });
    const body = await download('crash/a.jsonl');
    expect(body).toEqual(Buffer.concat(parts));
    expect(result).toEqual({ bytes: 3010, sha256: sha256(body) });
    const properties = await container.getBlobClient('crash/a.jsonl').getProperties();
    expect(properties.contentType).toBe('application/x-ndjson');
    expect(properties.metadata).toEqual({ job: 'j1', sha256: sha256(body) });

    // A retry of the same commit (a crash before the job recorded it) finds these bytes and writes nothing.
    const again = await new StagedBlobFile(container, state, 2).commit({ contentType: 'application/x-ndjson', metadata: { job: 'j1' } });
    expect(again).toEqual(result);
    expect((await container.getBlobClient('crash/a.jsonl').getProperties()).etag).toBe(properties.etag);
  });

  it('writes gzip as a valid multi-member file whose SHA-256 is the download\'s', async () => {
    const plain = ['{"a":1}\n', '{"b":2}\n{"c":3}\n', '{"d":"ü"}\n'];
    const file = new StagedBlobFile(container, newStagedFileState('gz/a.jsonl.gz', true), 3);
    for (const part of plain.slice(0, 2)) await file.stage(text(part));
    const resumed = new StagedBlobFile(container, checkpoint(file), 4);
    await resumed.stage(text(plain[2]));
    const state = resumed.state();
    expect(state.runs).toEqual([[3, 2], [4, 1]]);
    const result = await resumed.commit({ contentType: 'application/gzip', contentDisposition: 'attachment; filename="a.jsonl.gz"' });
    const body = await download('gz/a.jsonl.gz');
    expect(gunzipSync(body).toString('utf8')).toBe(plain.join(''));
    expect(result.sha256).toBe(sha256(body));
    expect(result.bytes).toBe(body.length);
    expect(state.bytes).toBe(body.length);
    const properties = await container.getBlobClient('gz/a.jsonl.gz').getProperties();
    expect(properties.contentType).toBe('application/gzip');
    expect(properties.contentEncoding).toBeUndefined();
  });

  it('never commits what a stale worker stages after a takeover', async () => {
    const name = 'takeover/a.csv';
    const stale = new StagedBlobFile(container, newStagedFileState(name, false), 1);
    await stale.stage(text('one\n'));
    const atTakeover = checkpoint(stale);
    const owner = new StagedBlobFile(container, atTakeover, 2);
    await owner.stage(text('two\n'));
    // The stale worker does not know it lost the lease and keeps staging.
    await stale.stage(text('STALE\n'));
    await stale.stage(text('STALE AGAIN\n'));
    await owner.stage(text('three\n'));
    const result = await owner.commit({ contentType: 'text/csv' });
    const body = await download(name);
    expect(body.toString()).toBe('one\ntwo\nthree\n');
    expect(result.sha256).toBe(sha256(body));
    expect(owner.state().runs).toEqual([[1, 1], [2, 2]]);
  });

  it('a commit re-run after a crash leaves the same blob', async () => {
    const name = 'twice/a.json';
    const file = new StagedBlobFile(container, newStagedFileState(name, false), 7);
    await file.stage(text('[1,'));
    await file.stage(text('2]'));
    const first = await file.commit({ contentType: 'application/json' });
    const again = await new StagedBlobFile(container, checkpoint(file), 8).commit({ contentType: 'application/json' });
    expect(again).toEqual(first);
    expect((await download(name)).toString()).toBe('[1,2]');
    const blocks = await container.getBlockBlobClient(name).getBlockList('committed');
    expect(blocks.committedBlocks?.map((b) => b.name)).toEqual([blockId(7, 0), blockId(7, 1)]);
  });

  it('commits an empty file as an empty blob', async () => {
    const file = new StagedBlobFile(container, newStagedFileState('empty/a.csv', true), 1);
    const result = await file.commit({ contentType: 'application/gzip' });
    expect(result).toEqual({ bytes: 0, sha256: sha256(new Uint8Array(0)) });
    expect((await download('empty/a.csv')).length).toBe(0);
  });

  it('refuses to stage two blocks of one file at once', async () => {
    const file = new StagedBlobFile(container, newStagedFileState('concurrent/a.csv', false), 1);
    const first = file.stage(text('a'));
    await expect(file.stage(text('b'))).rejects.toThrow(/already being staged/);
    await first;
    await file.stage(text('c'));
    await file.commit({ contentType: 'text/csv' });
    expect((await download('concurrent/a.csv')).toString()).toBe('ac');
  });

  it('rejects a checkpoint whose byte count and hash disagree', () => {
    const state = { ...newStagedFileState('bad/a.csv', false), bytes: 5 };
    expect(() => new StagedBlobFile(container, state, 1)).toThrow(/inconsistent/);
  });
});
