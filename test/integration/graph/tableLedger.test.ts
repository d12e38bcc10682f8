import { SharedRequestBudget, TableBudgetLedger, type BudgetLedger } from '../../../src/graph/budget';
import type { LedgerState } from '../../../src/graph/budget/ledgerState';
import { createStorageClients } from '../../../src/storage/clients';
import { azuriteConnectionString, uniqueName } from '../../support/azurite';
import { peakPerWindow } from '../../unit/graph/budget/virtualTime';

async function ledgerTable() {
  const table = createStorageClients({ connectionString: azuriteConnectionString() }).table(uniqueName('budget'));
  await table.createTable();
  return table;
}

/** The real Table ledger, remembering every state it managed to write. */
class RecordingLedger implements BudgetLedger {
  readonly written: LedgerState[] = [];
  constructor(private readonly inner: TableBudgetLedger) {}
  get description(): string {
    return this.inner.description;
  }
  read() {
    return this.inner.read();
  }
  async write(state: LedgerState, etag: string | undefined) {
    const result = await this.inner.write(state, etag);
    if (result !== undefined) this.written.push(state);
    return result;
  }
}

describe('the shared Graph budget in Table storage (Azurite)', () => {
  it('writes only over the etag it read, and creates the row only once', async () => {
    const ledger = new TableBudgetLedger(await ledgerTable(), { tenant: 'tenant-a', app: 'app/1' });
    expect(await ledger.read()).toEqual({ state: { grants: [], pausedUntil: 0, pauseCount: 0 } });
    const state = { grants: [1_795_000_000_123, 1_795_000_000_456], pausedUntil: 1_795_000_009_999, pauseCount: 2 };
    const first = await ledger.write(state, undefined);
    expect(first).toBeDefined();
    expect(await ledger.write({ ...state, grants: [] }, undefined)).toBeUndefined();
    expect(await ledger.read()).toEqual({ state, etag: first });
    const second = await ledger.write({ ...state, pauseCount: 3 }, first);
    expect(second).toBeDefined();
    expect(await ledger.write({ ...state, pauseCount: 4 }, first)).toBeUndefined();
    expect((await ledger.read()).state.pauseCount).toBe(3);
    expect(ledger.description).toMatch(/row graphReportingBudget\/tenant-a_app_1$/);
  });

  it('two instances on one row reserve grants that never put more than `requests` in a window', async () => {
    const table = await ledgerTable();
    const key = { tenant: 'tenant-b', app: 'app' };
    const ledgers = [new RecordingLedger(new TableBudgetLedger(table, key)), new RecordingLedger(new TableBudgetLedger(table, key))];
    // A short window keeps the test quick; the rule checked is on the reserved times, not on when anything ran (so a
    // caller woken late sends anyway instead of reserving again: its tolerance would be a few ms of this window).
    const budgets = ledgers.map((ledger) => new SharedRequestBudget({ ledger, requests: 2, windowMs: 150, lateToleranceMs: Number.POSITIVE_INFINITY }));
    await Promise.all(budgets.flatMap((budget) => Array.from({ length: 5 }, () => budget.acquire())));
    const reserved = ledgers.flatMap((ledger) => ledger.written.map((state) => state.grants[state.grants.length - 1]));
    expect(reserved).toHaveLength(10);
    expect(peakPerWindow(reserved, 150)).toBe(2);
    expect(budgets.reduce((sum, b) => sum + b.stats.granted, 0)).toBe(10);
  });
});
