/**
 * The whole app as `npm run dev` runs it, in this process: its own Azurite (HTTPS + OAuth, so links are
 * user-delegation SAS), the Graph simulator on a fixed clock, every function module registered through
 * src/functions/index and driven by the local host over real HTTP.
 */
import { AzuriteInstance, startAzurite } from '../../dev/azurite';
import { AzuriteOAuthCredential } from '../../dev/azuriteCredential';
import { SimulatorHandle, SimulatorOptions, startSimulator } from '../../dev/graph-simulator';
import { LocalHost, silentHostLog, startLocalHost } from '../../dev/local-host';
import { hideTestModeWarnings } from '../../dev/local-host/testModeWarnings';
import { buildRuntime, Runtime, setRuntime } from '../../src/app/runtime';
import { AppConfig, loadConfig } from '../../src/config';
import { createGraphClient } from '../../src/graph/graphClient';
import { createStorageClients, StorageClients } from '../../src/storage/clients';

export interface LocalApp {
  azurite: AzuriteInstance;
  sim: SimulatorHandle;
  runtime: Runtime;
  host: LocalHost;
  /** The app's and the simulator's "now" (fixed). */
  now: number;
  /** Rebuilds the runtime with other settings (e.g. App Service Authentication), same storage and Graph. */
  reconfigure(change: (config: AppConfig) => AppConfig): void;
  stop(): Promise<void>;
}

export async function startLocalApp(options: { env?: Record<string, string>; simulator?: SimulatorOptions; now?: number }): Promise<LocalApp> {
  const certPath = process.env.TEST_TLS_CERT;
  const keyPath = process.env.TEST_TLS_KEY;
  if (!certPath || !keyPath) throw new Error('Run with `npm test` (it provides the local TLS certificate).');
  const now = options.now ?? Date.now();
  const azurite = await startAzurite({ tls: { certPath, keyPath }, oauth: true });
  const sim = await startSimulator({ latency: 'none', throttle: false, seed: 'local-app', now: () => now, ...options.simulator });
  const config = loadConfig({
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_AUTH_MODE: 'simulator',
    GRAPH_BASE_URL: sim.url,
    GRAPH_RATE_LIMIT_REQUESTS: '1000',
    GRAPH_RATE_LIMIT_WINDOW_SECONDS: '1',
    BACKFILL_DAYS: '1',
    ...options.env,
  });
  const storage: StorageClients = createStorageClients(config.storage, { credential: new AzuriteOAuthCredential() });
  const graph = createGraphClient(config.graph);
  const build = (settings: AppConfig) => buildRuntime(settings, { storage, graph, now: () => new Date(now) });
  const app: Partial<LocalApp> = { azurite, sim, now };
  app.runtime = build(config);
  // The function modules read the settings as they register: the runtime must be in place first.
  setRuntime(app.runtime);
  const restoreWarnings = hideTestModeWarnings();
  const { registeredFunctions } = await import('../../src/functions');
  restoreWarnings();
  const host = await startLocalHost({ specs: registeredFunctions(), storageConnectionString: azurite.connectionString, httpPort: 0, log: silentHostLog });
  app.host = host;
  app.reconfigure = (change) => {
    app.runtime = build(change(app.runtime?.config ?? config));
    setRuntime(app.runtime);
  };
  app.stop = async () => {
    await host.stop();
    setRuntime(undefined);
    await sim.close();
    await azurite.stop();
  };
  return app as LocalApp;
}
