/**
 * The Graph request budget: which one a Graph client draws from. Every Graph client of the product is built through
 * `createGraphClient` (../graphClient.ts), which asks here:
 * - the function app passes its ledger table and, with `GRAPH_BUDGET=shared` (the default), gets the budget every
 *   instance shares (one row per app per tenant);
 * - without a table (the command-line export has no storage) or with `GRAPH_BUDGET=process`, the process-local
 *   token bucket.
 * Either way one process holds one budget per setting, shared by all its jobs.
 */
import type { TableClient } from '@azure/data-tables';
import type { AppConfig } from '../../config';
import { SIMULATOR_DEFAULT_APP_ID, SIMULATOR_DEFAULT_TENANT_ID } from '../credentials';
import { processRateLimiter } from './rateLimiter';
import { budgetWindowMs, type RequestBudget } from './requestBudget';
import { SharedRequestBudget } from './sharedRequestBudget';
import { ledgerRowKey, TableBudgetLedger, type LedgerKey } from './tableLedger';

export type { BudgetStats, RequestBudget } from './requestBudget';
export { ARRIVAL_MARGIN, budgetWindowMs } from './requestBudget';
export { createRateLimiter, processRateLimiter, TokenBucketRateLimiter } from './rateLimiter';
export { GraphBudgetError, SharedRequestBudget, type SharedBudgetStats } from './sharedRequestBudget';
export { TableBudgetLedger, type BudgetLedger, type LedgerKey, type LedgerSnapshot } from './tableLedger';

const sharedBudgets = new Map<string, SharedRequestBudget>();

export interface RequestBudgetOptions {
  /** The ledger table (config.graphBudgetTable); without it the budget is process-local. */
  ledgerTable?: TableClient;
  /** Told when a `Retry-After` pause could not be written to the ledger (this process still honours it). */
  onError?: (error: Error) => void;
}

export function createRequestBudget(config: AppConfig['graph'], options: RequestBudgetOptions = {}): RequestBudget {
  if (config.budget === 'process' || !options.ledgerTable) return processRateLimiter(config);
  return sharedRequestBudget(config, options.ledgerTable, options.onError);
}

/** The shared budget of this process for one ledger row: every runtime and client in the process gets the same one. */
function sharedRequestBudget(config: AppConfig['graph'], table: TableClient, onError?: (error: Error) => void): SharedRequestBudget {
  const key = budgetKey(config);
  const id = `${table.url}|${table.tableName}|${ledgerRowKey(key)}|${config.rateLimitRequests}/${config.rateLimitWindowSeconds}`;
  let budget = sharedBudgets.get(id);
  if (!budget) {
    budget = new SharedRequestBudget({
      ledger: new TableBudgetLedger(table, key),
      requests: config.rateLimitRequests,
      windowMs: budgetWindowMs(config.rateLimitWindowSeconds),
      onError,
    });
    sharedBudgets.set(id, budget);
  }
  return budget;
}

/**
 * Graph throttles per app per tenant. The app is the identity the client signs in as (its client id; a
 * system-assigned identity has none configured, and one deployment has only one), the tenant the configured one
 * (unset: the identity's home tenant, again one per deployment).
 */
export function budgetKey(config: AppConfig['graph']): LedgerKey {
  const simulator = config.authMode === 'simulator';
  return {
    tenant: config.tenantId ?? (simulator ? SIMULATOR_DEFAULT_TENANT_ID : 'home-tenant'),
    app: config.clientId ?? (simulator ? SIMULATOR_DEFAULT_APP_ID : 'app-identity'),
  };
}
