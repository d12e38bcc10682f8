import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LocalFileStore, pathUnder, writeFileAtomically } from '../../../src/storage/localFileStore';
import { newStagedFileState, type StagedFileState } from '../../../src/storage/stagedFile';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const headers = { contentType: 'application/x-ndjson' };
/** What the checkpoint store does: the state goes through JSON. */
const saved = (state: StagedFileState): StagedFileState => JSON.parse(JSON.stringify(state)) as StagedFileState;

describe('LocalFileStore', () => {
  let root: string;
  let store: LocalFileStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'entra-export-'));
    store = new LocalFileStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('after a crash, overwrites what was written past the checkpoint and commits exactly the recorded blocks', async () => {
    const parts = [randomBytes(1000), randomBytes(2000), randomBytes(10)];
    const first = store.openFile(newStagedFileState('audit/a.jsonl', false), 1);
    await first.stage(parts[0]);
    await first.stage(parts[1]);
    first.addCounts(5, 5);
    const checkpoint = saved(first.state());
    // Written but never checkpointed: the process dies before recording it (longer than what follows).
    await first.stage(randomBytes(5000));
    expect((await stat(join(root, 'audit/a.jsonl.partial'))).size).toBe(8000);

    const resumed = store.openFile(checkpoint, 1);
    await resumed.stage(parts[2]);
    expect(resumed.state()).toMatchObject({ bytes: 3010, records: 5, runs: [[1, 3]] });
    const { bytes, sha256: digest } = await resumed.commit(headers);
    const content = await readFile(join(root, 'audit/a.jsonl'));
    expect(content.equals(Buffer.concat(parts))).toBe(true);
    expect({ bytes, digest }).toEqual({ bytes: 3010, digest: sha256(content) });
    await expect(stat(join(root, 'audit/a.jsonl.partial'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a resume with nothing more to write cuts the orphan tail at commit', async () => {
    const first = store.openFile(newStagedFileState('b.csv', false), 1);
    await first.stage(Buffer.from('header\n'));
    const checkpoint = saved(first.state());
    await first.stage(Buffer.from('orphan row\n'));
    const { sha256: digest } = await store.openFile(checkpoint, 2).commit(headers);
    expect((await readFile(join(root, 'b.csv'))).toString()).toBe('header\n');
    expect(digest).toBe(sha256(Buffer.from('header\n')));
  });

  it('writes gzip as a valid multi-member file whose SHA-256 is the file\'s', async () => {
    const file = store.openFile(newStagedFileState('c.jsonl.gz', true), 1);
    await file.stage(Buffer.from('{"id":"1"}\n'));
    await file.stage(Buffer.from('{"id":"2"}\n'));
    const { sha256: digest } = await file.commit(headers);
    const content = await readFile(join(root, 'c.jsonl.gz'));
    expect(gunzipSync(content).toString()).toBe('{"id":"1"}\n{"id":"2"}\n');
    expect(digest).toBe(sha256(content));
  });

  it('a commit repeated after it succeeded changes nothing; an empty file commits as an empty file', async () => {
    const file = store.openFile(newStagedFileState('d.json', false), 1);
    await file.stage(Buffer.from('[]'));
    const state = saved(file.state());
    await file.commit(headers);
    await expect(store.openFile(state, 1).commit(headers)).resolves.toMatchObject({ bytes: 2 });
    await expect(store.openFile(newStagedFileState('e/empty.csv', false), 1).commit(headers)).resolves.toMatchObject({ bytes: 0 });
    expect((await readFile(join(root, 'e/empty.csv'))).length).toBe(0);
  });

  it('refuses to resume over a partial file shorter than its checkpoint', async () => {
    const file = store.openFile(newStagedFileState('f.jsonl', false), 1);
    await file.stage(randomBytes(100));
    const checkpoint = saved(file.state());
    await writeFile(join(root, 'f.jsonl.partial'), randomBytes(10));
    await expect(store.openFile(checkpoint, 1).stage(randomBytes(5))).rejects.toThrow(/has 10 bytes but the checkpoint says 100/);
    await expect(store.openFile(checkpoint, 1).commit(headers)).rejects.toThrow(/has 10 bytes, expected at least 100/);
  });

  it('keeps every name inside the folder', () => {
    for (const name of ['../x.json', '/etc/passwd', 'a/../../x', '', '.']) expect(() => pathUnder(root, name)).toThrow(/outside/);
    expect(pathUnder(root, 'adhoc/x/y.json')).toBe(join(root, 'adhoc/x/y.json'));
  });

  it('writes a file atomically, replacing the previous one', async () => {
    await writeFileAtomically(root, 'state/checkpoint.json', Buffer.from('{"v":1}'));
    await writeFileAtomically(root, 'state/checkpoint.json', Buffer.from('{"v":2}'));
    expect((await readFile(join(root, 'state/checkpoint.json'))).toString()).toBe('{"v":2}');
  });
});
