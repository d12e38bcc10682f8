import { adhocJobId, blobBaseName, jobRowKey, parseJobId, scheduledJobId } from '../../../src/export/jobIds';
import { parseInstant } from '../../../src/time/instant';

describe('job ids', () => {
  const start = parseInstant('2026-11-27T10:00:00Z');
  it('are deterministic per stream and window and parse back', () => {
    expect(scheduledJobId('audit', start)).toBe('audit-20261127T1000Z');
    expect(parseJobId('audit-20261127T1000Z')).toEqual({ kind: 'scheduled', stream: 'audit', start });
    expect(parseJobId(adhocJobId('provisioning', start, 'k3x9q2ab'))).toEqual({ kind: 'adhoc', stream: 'provisioning', start });
  });
  it('rejects anything else', () => {
    for (const bad of ['', 'audit', 'nosuch-20261127T1000Z', 'audit-20261327T1000Z', 'audit-20261127T1000Z-x', '../etc/passwd', "audit-20261127T1000Z' or 1"]) {
      expect(parseJobId(bad)).toBeUndefined();
    }
  });
  it('orders newer windows first in the table', () => {
    const older = jobRowKey('audit-20261127T0900Z');
    const newer = jobRowKey('audit-20261127T1000Z');
    expect(newer < older).toBe(true);
  });
  it('names blobs by stream and UTC day', () => {
    const end = parseInstant('2026-11-27T11:00:00Z');
    expect(blobBaseName({ jobId: 'audit-20261127T1000Z', kind: 'scheduled', stream: 'audit', start, end, revision: 1 })).toBe(
      'audit/2026/11/27/audit_20261127T1000Z_20261127T1100Z',
    );
    expect(blobBaseName({ jobId: 'x', kind: 'scheduled', stream: 'audit', start, end, revision: 2 })).toMatch(/_r2$/);
  });
});
