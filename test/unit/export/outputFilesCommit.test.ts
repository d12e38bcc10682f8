/**
 * The checkpoint that ends paging holds every block of every file, footers included, so a commit repeated from it
 * (a worker killed after committing, before the job recorded it) finds the file it committed and changes nothing.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphRecord } from '../../../src/formats/types';
import { OutputFiles } from '../../../src/export/outputFiles';
import { recordBatch } from '../../../src/formats/recordBatch';
import { LocalFileStore } from '../../../src/storage/localFileStore';
import type { StagedFileState } from '../../../src/storage/stagedFile';
import { parseInstant } from '../../../src/time/instant';
import { burst } from '../../support/fixtureRecords';

const window = { start: parseInstant('2026-11-27T10:00:00Z'), end: parseInstant('2026-11-27T11:00:00Z') };
const records = (prefix: string, count: number) => burst(prefix, '2026-11-27T10:30:00Z', count) as unknown as GraphRecord[];
const saved = (state: Record<string, StagedFileState>) => JSON.parse(JSON.stringify(state)) as Record<string, StagedFileState>;

describe('committing output files', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'entra-output-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const open = (state: Record<string, StagedFileState> | undefined, epoch: number) =>
    new OutputFiles(new LocalFileStore(root), 'audit', ['jsonl', 'json', 'csv'], { neutralizeFormulas: true }, 'audit/w', state, epoch, undefined);

  it('a commit repeated from the finalizing checkpoint writes the same files again, nothing more', async () => {
    const files = open(undefined, 1);
    files.add(recordBatch(records('a', 25)));
    files.addFooters();
    await files.flush();
    const finalizing = saved(files.state());

    const first = await files.commit(window, { jobId: 'j' }, true);
    const json = join(root, first.find((f) => f.key === 'json')!.blobName);
    expect(JSON.parse(await readFile(json, 'utf8'))).toHaveLength(25);
    const modified = (await stat(json)).mtimeMs;

    // The next worker resumes from the same checkpoint under a new lease epoch.
    const again = await open(finalizing, 2).commit(window, { jobId: 'j' }, true);
    expect(again).toEqual(first);
    expect((await stat(json)).mtimeMs).toBe(modified);
  });

  it('a checkpoint without its footers (written before they were staged with the last page) still commits whole files', async () => {
    const files = open(undefined, 1);
    files.add(recordBatch(records('b', 3)));
    await files.flush();
    const committed = await open(saved(files.state()), 2).commit(window, { jobId: 'j' }, false);
    const json = join(root, committed.find((f) => f.key === 'json')!.blobName);
    expect(JSON.parse(await readFile(json, 'utf8'))).toHaveLength(3);
  });
});
