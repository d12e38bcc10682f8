/**
 * `npm run dev`: the whole app on one machine. Starts Azurite in memory, the Graph simulator with a
 * realistic tenant (unless GRAPH_AUTH_MODE names a real tenant's credential), then every registered
 * function in the local host, with each timer run once at start. Ctrl+C stops everything.
 */
import { join } from 'node:path';
import { AzuriteInstance, freePort, startAzurite } from './azurite';
import { DEFAULT_HTTP_PORT, LocalHost, startLocalHost, withoutTestModeWarnings } from './local-host';
import { applyLocalSettings, readLocalSettings } from './local-host/localSettings';
import { ConfigError, loadConfig } from '../src/config';
import { registeredFunctions } from '../src/functions/registry';

const ROOT = join(__dirname, '..');
const SIMULATOR_PORT = 8790;
/** The app id the printed simulator token carries (the simulator throttles per app, like Graph). */
const CURL_APP_ID = '00000000-0000-0000-0000-0000000c0421';

interface GraphSimulator {
  url: string;
  close(): Promise<void>;
}

interface GraphSimulatorModule {
  startSimulator(options: { port: number; volume: unknown; latency: 'realistic' }): Promise<GraphSimulator>;
  makeSimulatorToken(appId: string): string;
  defaultRealisticVolume: unknown;
}

async function main(): Promise<void> {
  const localSettings = readLocalSettings(join(ROOT, 'local.settings.json'));
  applyLocalSettings(localSettings.values);
  const useSimulator = (process.env.GRAPH_AUTH_MODE ?? 'simulator') === 'simulator';
  // A short first backfill, so the first exports appear within minutes.
  process.env.BACKFILL_DAYS ??= '1';
  const running: { azurite?: AzuriteInstance; simulator?: GraphSimulator; host?: LocalHost } = {};
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (stopping) process.exit(code);
    stopping = true;
    if (code === 0) console.log('\nStopping...');
    await running.host?.stop().catch((e: Error) => console.error(`Local host: ${e.message}`));
    await running.simulator?.close().catch((e: Error) => console.error(`Graph simulator: ${e.message}`));
    await running.azurite?.stop().catch((e: Error) => console.error(`Azurite: ${e.message}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    // Settings errors surface before anything starts; storage and the simulator URL are filled in below.
    loadConfig({
      ...process.env,
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      ...(useSimulator ? { GRAPH_AUTH_MODE: 'simulator', GRAPH_BASE_URL: `http://127.0.0.1:${SIMULATOR_PORT}` } : {}),
    });
    running.azurite = await startAzurite({ ports: { blob: 10000, queue: 10001, table: 10002 } });
    process.env.AzureWebJobsStorage = running.azurite.connectionString;
    console.log(`Azurite (in memory): blob ${running.azurite.blobEndpoint}, queue ${running.azurite.queueEndpoint}, table ${running.azurite.tableEndpoint}`);

    let simulatorModule: GraphSimulatorModule | undefined;
    if (useSimulator) {
      simulatorModule = require('./graph-simulator') as GraphSimulatorModule;
      running.simulator = await simulatorModule.startSimulator({
        port: await freePort(SIMULATOR_PORT),
        volume: simulatorModule.defaultRealisticVolume,
        latency: 'realistic',
      });
      process.env.GRAPH_AUTH_MODE = 'simulator';
      process.env.GRAPH_BASE_URL = running.simulator.url;
      console.log(`Graph simulator: ${running.simulator.url} (a realistic tenant)`);
    } else {
      console.log(`Microsoft Graph: ${process.env.GRAPH_BASE_URL ?? 'https://graph.microsoft.com'} with GRAPH_AUTH_MODE=${process.env.GRAPH_AUTH_MODE}`);
    }
    loadConfig();
    // Loaded only now: function modules may read the settings set above when they load.
    withoutTestModeWarnings(() => require('../src/functions/index'));
    running.host = await startLocalHost({
      specs: registeredFunctions(),
      storageConnectionString: running.azurite.connectionString,
      hostJsonPath: join(ROOT, 'host.json'),
      httpPort: localSettings.localHttpPort ?? DEFAULT_HTTP_PORT,
      runTimersAtStart: true,
    });
    printHints(running.host.httpUrl.replace('127.0.0.1', 'localhost'), running.simulator, simulatorModule);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      console.error(`Set ${error.setting} in the environment or in local.settings.json "Values" (see docs/configuration.md).`);
    } else {
      console.error(error);
    }
    await stop(1);
  }
}

function printHints(apiUrl: string, simulator: GraphSimulator | undefined, simulatorModule: GraphSimulatorModule | undefined): void {
  console.log('');
  console.log('The exporter is running. Try:');
  console.log(`  curl ${apiUrl}/api/exports`);
  if (simulator && simulatorModule) {
    const token = simulatorModule.makeSimulatorToken(CURL_APP_ID);
    console.log(`  curl -H "Authorization: Bearer ${token}" "${simulator.url}/beta/auditLogs/directoryAudits?\\$top=1"`);
  }
  console.log('Press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
