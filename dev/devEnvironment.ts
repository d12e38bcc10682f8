/**
 * The settings of `npm run dev`, applied when this module loads: dev/dev.ts imports it before the function
 * modules, which read the app settings (the timer's schedule) as they register. Values come from the environment,
 * then local.settings.json, then the development defaults below. Storage and the Graph URL are placeholders
 * here; dev/dev.ts replaces them once Azurite and the simulator listen, and builds the runtime from the final
 * settings.
 */
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { hideTestModeWarnings } from './local-host/testModeWarnings';
import { applyLocalSettings, LocalSettings, LocalSettingsError, readLocalSettings } from './local-host/localSettings';

export const SIMULATOR_PORT = 8790;

export interface DevEnvironment {
  localSettings: LocalSettings;
  /** False when GRAPH_AUTH_MODE names a real credential: then no simulator starts and the real tenant is read. */
  useSimulator: boolean;
  /** Shows the warnings hidden while the function modules load. */
  restoreWarnings: () => void;
}

function applyDevEnvironment(env: NodeJS.ProcessEnv): DevEnvironment {
  const localSettings = readLocalSettings(join(__dirname, '..', 'local.settings.json'));
  applyLocalSettings(localSettings.values, env);
  const useSimulator = (env.GRAPH_AUTH_MODE ?? 'simulator') === 'simulator';
  // A one-day first backfill: audit windows are planned and queued first, so they finish within a minute.
  env.BACKFILL_DAYS ??= '1';
  env.AzureWebJobsStorage = 'UseDevelopmentStorage=true';
  if (useSimulator) {
    env.GRAPH_AUTH_MODE = 'simulator';
    env.GRAPH_BASE_URL = `http://127.0.0.1:${SIMULATOR_PORT}`;
  }
  // A bad setting stops the start here, with its name, before anything is started.
  loadConfig(env);
  return { localSettings, useSimulator, restoreWarnings: hideTestModeWarnings() };
}

function loadDevEnvironment(): DevEnvironment {
  try {
    return applyDevEnvironment(process.env);
  } catch (error) {
    if (error instanceof LocalSettingsError) {
      console.error(error.message);
      process.exit(1);
    }
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    console.error(`Set ${error.setting} in the environment or in local.settings.json "Values" (see docs/configuration.md).`);
    process.exit(1);
  }
}

export const devEnvironment: DevEnvironment = loadDevEnvironment();
