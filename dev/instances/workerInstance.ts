/**
 * One instance of the function app's queue worker, in a process of its own: the registered `runExportJob` function
 * (src/functions/runExportJob.ts) run by the local host's queue listener against Azurite, with the runtime built
 * from this process's environment exactly as the Functions host would build it, the request budget included.
 * Started and told what to do by the launcher (index.ts) over IPC.
 */
// First: hides the registration warnings while the function module below loads.
import { restoreWarnings } from './quietRegistration';
import { runExportJobFunction } from '../../src/functions/runExportJob';
import { loadConfig } from '../../src/config';
import { getRuntime } from '../../src/app/runtime';
import { createRequestBudget } from '../../src/graph/budget';
import { startLocalHost, type HostLog } from '../local-host';
import type { ChildMessage, InstanceReport, ParentMessage } from './protocol';

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  restoreWarnings();
  const config = loadConfig();
  const runtime = getRuntime();
  await runtime.ensureReady();
  const connectionString = config.storage.connectionString;
  if (!connectionString) throw new Error('An instance process needs AzureWebJobsStorage (Azurite)');

  let invocations = 0;
  let failedInvocations = 0;
  const log: HostLog = (_level, _source, message) => {
    if (message.startsWith('Executed ')) {
      invocations++;
      if (message.includes('(Failed')) failedInvocations++;
    }
  };
  const host = await startLocalHost({ specs: [runExportJobFunction], storageConnectionString: connectionString, httpPort: 0, log });

  process.on('message', (message: ParentMessage) => {
    void (async () => {
      try {
        if (message.type === 'drain') {
          await host.drainQueues({ timeoutMs: message.timeoutMs });
          // The same budget object the Graph client draws from (one per process per setting).
          const budget = createRequestBudget(config.graph, { ledgerTable: runtime.storage.table(config.graphBudgetTable) });
          const report: InstanceReport = {
            pid: process.pid,
            budget: config.graph.budget,
            budgetStats: { ...budget.stats },
            invocations,
            failedInvocations,
            maxRssBytes: process.resourceUsage().maxRSS * 1024,
          };
          send({ type: 'drained', report });
        } else if (message.type === 'stop') {
          await host.stop();
          process.exit(0);
        }
      } catch (error) {
        send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  send({ type: 'ready', pid: process.pid });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
