import { createHash } from 'node:crypto';
import { BlockBuffer, recordBatch, recordJson, StringSink } from '../../../src/formats';
import { addToContentDigest, fingerprints, writeFingerprintLines } from '../../../src/export/fingerprints';
import { addIdHashes, addIds, EMPTY_ID_DIGEST } from '../../../src/export/idSetDigest';
import { idHash } from '../../../src/export/recordSieve';
import type { GraphRecord } from '../../../src/formats/types';

const records: GraphRecord[] = [
  { id: 'a', createdDateTime: '2026-11-20T00:00:00Z', userDisplayName: 'Zoë' },
  { id: 'b', nested: { list: [1, 2, null] } },
  { id: 'ünïcode-id', text: 'line\u2028separator' },
];

describe('fingerprints', () => {
  const batch = recordBatch(records);
  const prints = fingerprints(batch);

  it('hash the record JSON the formats write, and the id as idHash does', () => {
    expect(batch.lines.toString('utf8')).toBe(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    records.forEach((r, i) => expect(recordJson(batch, i).toString('utf8')).toBe(JSON.stringify(r)));
    prints.forEach((p, i) => {
      expect(p.id).toBe(idHash(records[i].id));
      expect(p.content).toBe(createHash('sha256').update(JSON.stringify(records[i])).digest('base64url').slice(0, 16));
    });
  });

  it('are the same whether or not the batch reuses a scratch buffer', () => {
    const scratch = new BlockBuffer(16);
    recordBatch([{ id: 'previous batch', long: 'x'.repeat(100) }], scratch);
    expect(fingerprints(recordBatch(records, scratch))).toEqual(prints);
  });

  it('give the same id-set digest as hashing the ids', () => {
    expect(addIdHashes(EMPTY_ID_DIGEST, prints.map((p) => p.idBits))).toBe(addIds(EMPTY_ID_DIGEST, records.map((r) => r.id)));
    expect(addToContentDigest(EMPTY_ID_DIGEST, prints)).not.toBe(EMPTY_ID_DIGEST);
  });

  it('are written one "<idHash> <contentHash>" line per record', () => {
    const sink = new StringSink();
    writeFingerprintLines(prints, sink);
    expect(sink.text()).toBe(prints.map((p) => `${p.id} ${p.content}\n`).join(''));
  });
});
