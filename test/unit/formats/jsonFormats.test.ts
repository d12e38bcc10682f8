import { encodeRecords, planFiles } from '../../../src/formats';
import type { GraphRecord } from '../../../src/formats/types';
import { encodeFile, loadRecords } from './formatTestSupport';

const records: GraphRecord[] = [
  ...loadRecords('audit.json'),
  ...loadRecords('signins-interactive.json'),
  ...loadRecords('provisioning.json'),
  { id: 'odd', text: 'line\u2028separator \ud800 lone surrogate', nested: { a: [1, null, -2.5e-7] } },
];

/** Every way to cut the records into batches of sizes 0..3, plus one batch holding all. */
function batchSplits(): number[][] {
  const splits: number[][] = [[], [0, records.length], [1, 0, 1]];
  for (let size = 1; size <= 3; size++) splits.push(Array.from({ length: records.length }, () => size));
  splits.push([2, 0, 0, 5, 1]);
  return splits;
}

describe('JSON formats', () => {
  const [jsonl, json] = planFiles('audit', ['jsonl', 'json'], { neutralizeFormulas: true }).map((p) => p.encoder);

  it.each(batchSplits())('JSON array is valid and complete for batches %j', (...sizes) => {
    const text = encodeFile(json, records, sizes).toString('utf8');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(records)));
  });

  it.each(batchSplits())('JSONL is one record per line for batches %j', (...sizes) => {
    const text = encodeFile(jsonl, records, sizes).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(records.length);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(JSON.parse(JSON.stringify(records)));
  });

  it('an empty JSON array file is []; an empty JSONL file is empty', () => {
    expect(encodeFile(json, []).toString('utf8')).toBe('[]');
    expect(encodeFile(jsonl, []).length).toBe(0);
  });

  it('writes the records exactly as Graph returned them, unknown properties and formula text included', () => {
    const line = encodeRecords(jsonl, [records[0]], { recordsWritten: 0 }).bytes.toString('utf8');
    expect(line).toBe(JSON.stringify(records[0]) + '\n');
    expect(line).toContain('"futureProperty":{"kept":true}');
    expect(line).toContain('"oldValue":"-5"');
    expect(line).toContain('=HYPERLINK');
  });

  it('separates records with ",\\n" using the persisted count', () => {
    expect(encodeRecords(json, [{ id: 'a' }], { recordsWritten: 0 }).bytes.toString()).toBe('{"id":"a"}');
    expect(encodeRecords(json, [{ id: 'b' }, { id: 'c' }], { recordsWritten: 1 }).bytes.toString()).toBe(',\n{"id":"b"},\n{"id":"c"}');
    expect(encodeRecords(json, [], { recordsWritten: 3 })).toMatchObject({ rows: 0 });
  });

  it('describes its files', () => {
    expect(jsonl).toMatchObject({ key: 'jsonl', format: 'jsonl', extension: 'jsonl', contentType: 'application/x-ndjson', portalPrefix: 'AuditLogs' });
    expect(json).toMatchObject({ key: 'json', format: 'json', extension: 'json', contentType: 'application/json; charset=utf-8' });
  });
});
