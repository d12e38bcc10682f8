import { createStorageClients } from '../../../src/storage/clients';
import { LinkAuditRepository } from '../../../src/storage/linkAuditRepository';
import { azuriteConnectionString, uniqueName } from '../../support/azurite';

describe('link audit retention', () => {
  it('deletes whole UTC days older than the retention, keeps the rest, and is safe to run twice at once', async () => {
    const table = createStorageClients({ connectionString: azuriteConnectionString() }).table(uniqueName('linkaudit'));
    await table.createTable();
    const audit = new LinkAuditRepository(table);
    const issued = ['2025-11-26T08:00:00Z', '2025-11-27T23:59:59Z', '2025-11-27T00:00:00Z', '2025-11-28T00:00:00Z', '2026-11-27T12:00:00Z'];
    for (const at of issued) {
      await audit.record({ issuedAt: new Date(at), caller: 'function-key', jobId: 'audit-20261127T1000Z', fileKey: 'csv', blobName: 'b', expiresOn: new Date(at) });
    }
    const now = new Date('2026-11-28T03:17:00Z');
    const [first, second] = await Promise.all([audit.purgeOlderThan(now, 365), audit.purgeOlderThan(now, 365)]);
    expect(first + second).toBeGreaterThanOrEqual(3);
    expect(await audit.listDay('2025-11-26')).toEqual([]);
    expect(await audit.listDay('2025-11-27')).toEqual([]);
    expect(await audit.listDay('2025-11-28')).toHaveLength(1);
    expect(await audit.listDay('2026-11-27')).toHaveLength(1);
    expect(await audit.purgeOlderThan(now, 365)).toBe(0);
  });
});
