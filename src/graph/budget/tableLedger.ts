/**
 * The ledger row in Table storage: read it with its etag, write it only if nobody else did since (optimistic
 * concurrency). One row per app per tenant; a handful of numbers, so every read and write is one small transaction.
 */
import type { TableClient } from '@azure/data-tables';
import { isConflict, isNotFound, isPreconditionFailed } from '../../storage/tableErrors';
import { EMPTY_LEDGER, type LedgerState } from './ledgerState';

export interface LedgerSnapshot {
  state: LedgerState;
  /** Undefined when the row does not exist yet. */
  etag?: string;
}

/** What the shared budget needs from storage (the Table row below; tests may count or delay its calls). */
export interface BudgetLedger {
  /** Where the ledger lives, for error messages. */
  readonly description: string;
  read(): Promise<LedgerSnapshot>;
  /** Writes `state` if the row still has `etag` (or, without one, does not exist yet). The new etag, or undefined when another writer came first. */
  write(state: LedgerState, etag: string | undefined): Promise<string | undefined>;
}

/** The row's key: which Graph budget (app, tenant) it counts. */
export interface LedgerKey {
  tenant: string;
  app: string;
}

type LedgerEntity = { partitionKey: string; rowKey: string; grants: string; pausedUntil: number; pauseCount: number; updatedAt: string };

/** The partition every budget row lives in; the row key names the app and tenant (Graph's unit of throttling). */
export const LEDGER_PARTITION = 'graphReportingBudget';

export class TableBudgetLedger implements BudgetLedger {
  readonly description: string;
  private readonly rowKey: string;

  constructor(
    private readonly table: TableClient,
    key: LedgerKey,
  ) {
    this.rowKey = ledgerRowKey(key);
    this.description = `table ${table.tableName}, row ${LEDGER_PARTITION}/${this.rowKey}`;
  }

  async read(): Promise<LedgerSnapshot> {
    try {
      const entity = await this.table.getEntity<LedgerEntity>(LEDGER_PARTITION, this.rowKey);
      return { state: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (isNotFound(error)) return { state: EMPTY_LEDGER };
      throw error;
    }
  }

  async write(state: LedgerState, etag: string | undefined): Promise<string | undefined> {
    const entity: LedgerEntity = {
      partitionKey: LEDGER_PARTITION,
      rowKey: this.rowKey,
      grants: state.grants.map((t) => Math.round(t)).join(','),
      pausedUntil: Math.round(state.pausedUntil),
      pauseCount: state.pauseCount,
      updatedAt: new Date().toISOString(),
    };
    try {
      const response = etag === undefined ? await this.table.createEntity(entity) : await this.table.updateEntity(entity, 'Replace', { etag });
      if (!response.etag) throw new Error(`Table storage returned no etag for ${this.description}`);
      return response.etag;
    } catch (error) {
      if (isPreconditionFailed(error) || (etag === undefined && isConflict(error))) return undefined;
      throw error;
    }
  }
}

/** Row keys may not contain / \ # ? or control characters; tenant and app ids are GUIDs or names, kept readable. */
export function ledgerRowKey(key: LedgerKey): string {
  const clean = (value: string): string =>
    [...value]
      .map((c) => (/[/\\#?]/.test(c) || c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) ? '_' : c))
      .join('')
      .slice(0, 200);
  return `${clean(key.tenant)}_${clean(key.app)}`;
}

function fromEntity(entity: Partial<LedgerEntity>): LedgerState {
  const grants = typeof entity.grants === 'string' && entity.grants !== '' ? entity.grants.split(',').map(Number) : [];
  return {
    grants,
    pausedUntil: typeof entity.pausedUntil === 'number' ? entity.pausedUntil : 0,
    pauseCount: typeof entity.pauseCount === 'number' ? entity.pauseCount : 0,
  };
}
