import { TableClient } from '@azure/data-tables';
import { loadConfig } from '../../../../src/config';
import { budgetKey, createRequestBudget, SharedRequestBudget, TokenBucketRateLimiter } from '../../../../src/graph/budget';
import { ledgerRowKey } from '../../../../src/graph/budget/tableLedger';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
const table = (name: string) => TableClient.fromConnectionString('UseDevelopmentStorage=true', name);

describe('which budget a Graph client draws from', () => {
  it('the function app (a ledger table, GRAPH_BUDGET=shared by default) shares one budget per process and row', () => {
    const config = loadConfig(base);
    expect(config.graph.budget).toBe('shared');
    const first = createRequestBudget(config.graph, { ledgerTable: table('graphbudget') });
    expect(first).toBeInstanceOf(SharedRequestBudget);
    expect(createRequestBudget(config.graph, { ledgerTable: table('graphbudget') })).toBe(first);
    expect(createRequestBudget(config.graph, { ledgerTable: table('otherbudget') })).not.toBe(first);
  });

  it('without storage (the command-line export) or with GRAPH_BUDGET=process, the process-local token bucket', () => {
    const shared = loadConfig(base).graph;
    expect(createRequestBudget(shared)).toBeInstanceOf(TokenBucketRateLimiter);
    const perProcess = loadConfig({ ...base, GRAPH_BUDGET: 'process' }).graph;
    expect(createRequestBudget(perProcess, { ledgerTable: table('graphbudget') })).toBeInstanceOf(TokenBucketRateLimiter);
  });

  it('refuses an unknown GRAPH_BUDGET, naming the setting', () => {
    expect(() => loadConfig({ ...base, GRAPH_BUDGET: 'cluster' })).toThrow(/GRAPH_BUDGET/);
  });

  it('counts per app per tenant', () => {
    const config = loadConfig({ ...base, AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555', AZURE_TENANT_ID: 'contoso.onmicrosoft.com' });
    expect(ledgerRowKey(budgetKey(config.graph))).toBe('contoso.onmicrosoft.com_11111111-2222-3333-4444-555555555555');
    expect(ledgerRowKey({ tenant: 'a/b#c', app: 'd?e\\f\u0001' })).toBe('a_b_c_d_e_f_');
  });
});
