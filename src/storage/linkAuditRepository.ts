/**
 * The `linkaudit` table: one row per signed link handed out, with who asked for it. Partitioned by UTC day so an
 * auditor reads one day at a time; newest first within a day.
 */
import { randomBytes } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { isNotFound } from './tableErrors';

export interface LinkAuditEntry {
  issuedAt: Date;
  caller: string;
  callerObjectId?: string;
  clientIp?: string;
  jobId: string;
  fileKey: string;
  blobName: string;
  expiresOn: Date;
}

export class LinkAuditRepository {
  constructor(private readonly table: TableClient) {}

  async record(entry: LinkAuditEntry): Promise<void> {
    const iso = entry.issuedAt.toISOString();
    const inverted = (9_999_999_999_999 - entry.issuedAt.getTime()).toString().padStart(13, '0');
    await this.table.createEntity({
      partitionKey: iso.slice(0, 10),
      rowKey: `${inverted}-${randomBytes(4).toString('hex')}`,
      issuedAt: iso,
      caller: entry.caller,
      callerObjectId: entry.callerObjectId ?? '',
      clientIp: entry.clientIp ?? '',
      jobId: entry.jobId,
      fileKey: entry.fileKey,
      blobName: entry.blobName,
      expiresOn: entry.expiresOn.toISOString(),
    });
  }

  /**
   * Deletes every row of the UTC days that ended more than `retentionDays` before `now` (whole partitions, oldest
   * first). Safe to run from several instances at once. Returns the number of rows deleted.
   */
  async purgeOlderThan(now: Date, retentionDays: number): Promise<number> {
    const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - retentionDays)).toISOString().slice(0, 10);
    const rows = this.table.listEntities<{ partitionKey: string; rowKey: string }>({
      queryOptions: { filter: odata`PartitionKey lt ${cutoff}`, select: ['PartitionKey', 'RowKey'] },
    });
    let deleted = 0;
    for await (const row of rows) {
      try {
        await this.table.deleteEntity(row.partitionKey, row.rowKey);
        deleted += 1;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return deleted;
  }

  async listDay(day: string): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${day.replace(/'/g, "''")}'` } })) out.push(e);
    return out;
  }
}
