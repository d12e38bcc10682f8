/**
 * `npm run dev`: the whole app on one machine. Starts Azurite in memory, the Graph simulator with a
 * realistic tenant (unless GRAPH_AUTH_MODE names a real tenant's credential), then every registered
 * function in the local host, with each timer run once at start. Ctrl+C stops everything.
 */
// First: applies local.settings.json and the development defaults, which the function modules read as they load.
import { devEnvironment, SIMULATOR_PORT } from './devEnvironment';
import { join } from 'node:path';
import { registeredFunctions } from '../src/functions';
import { buildRuntime, setRuntime } from '../src/app/runtime';
import { loadConfig } from '../src/config';
import { AzuriteInstance, freePort, startAzurite } from './azurite';
import { defaultRealisticVolume, makeSimulatorToken, SimulatorHandle, startSimulator } from './graph-simulator';
import { DEFAULT_HTTP_PORT, LocalHost, startLocalHost } from './local-host';

const ROOT = join(__dirname, '..');
/** The app id the printed simulator token carries (the simulator throttles per app, like Graph). */
const CURL_APP_ID = '00000000-0000-0000-0000-0000000c0421';
/** How long Ctrl+C waits for running exports before leaving them (Azurite is in memory: nothing is kept anyway). */
const STOP_GRACE_MS = 5_000;
const DUPLICATE_SIGNAL_MS = 1_000;

async function main(): Promise<void> {
  devEnvironment.restoreWarnings();
  const running: { azurite?: AzuriteInstance; simulator?: SimulatorHandle; host?: LocalHost } = {};
  let stoppingSince: number | undefined;
  const stop = async (code: number): Promise<never> => {
    if (stoppingSince !== undefined) {
      // One Ctrl+C can arrive twice (from the terminal and relayed by a wrapper such as tsx): only a later one forces.
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return new Promise<never>(() => undefined);
      // Azurite is a child process: signal it before leaving, so it does not outlive this one.
      void running.azurite?.stop();
      process.exit(code);
    }
    stoppingSince = Date.now();
    if (code === 0) console.log('\nStopping... (Ctrl+C again to stop at once)');
    const hostStopped = running.host?.stop().catch((e: Error) => console.error(`Local host: ${e.message}`));
    await Promise.race([hostStopped, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
    await running.simulator?.close().catch((e: Error) => console.error(`Graph simulator: ${e.message}`));
    await running.azurite?.stop().catch((e: Error) => console.error(`Azurite: ${e.message}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    running.azurite = await startAzurite({ ports: { blob: 10000, queue: 10001, table: 10002 } });
    process.env.AzureWebJobsStorage = running.azurite.connectionString;
    console.log(`Azurite (in memory): blob ${running.azurite.blobEndpoint}, queue ${running.azurite.queueEndpoint}, table ${running.azurite.tableEndpoint}`);

    if (devEnvironment.useSimulator) {
      running.simulator = await startSimulator({
        port: await freePort(SIMULATOR_PORT),
        volume: defaultRealisticVolume,
        latency: 'realistic',
      });
      process.env.GRAPH_BASE_URL = running.simulator.url;
      console.log(`Graph simulator: ${running.simulator.url} (a realistic tenant)`);
    } else {
      console.log(`Microsoft Graph: ${process.env.GRAPH_BASE_URL ?? 'https://graph.microsoft.com'} with GRAPH_AUTH_MODE=${process.env.GRAPH_AUTH_MODE}`);
    }
    // The function modules loaded with placeholder storage and Graph URLs; the runtime uses the real ones.
    setRuntime(buildRuntime(loadConfig()));
    running.host = await startLocalHost({
      specs: registeredFunctions(),
      storageConnectionString: running.azurite.connectionString,
      hostJsonPath: join(ROOT, 'host.json'),
      httpPort: devEnvironment.localSettings.localHttpPort ?? DEFAULT_HTTP_PORT,
      runTimersAtStart: true,
    });
    printHints(running.host.httpUrl.replace('127.0.0.1', 'localhost'), running.simulator);
  } catch (error) {
    console.error(error);
    await stop(1);
  }
}

function printHints(apiUrl: string, simulator: SimulatorHandle | undefined): void {
  console.log('');
  console.log('The exporter is running. Try:');
  console.log(`  curl ${apiUrl}/api/exports`);
  if (simulator) {
    console.log(`  curl "${simulator.url}/_sim/groundTruth?stream=audit&start=<window start>&end=<window end>"`);
    const token = makeSimulatorToken(CURL_APP_ID);
    console.log(`  curl -H "Authorization: Bearer ${token}" "${simulator.url}/beta/auditLogs/directoryAudits?\\$top=1"`);
  }
  console.log('Press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
