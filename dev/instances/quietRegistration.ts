/**
 * Imported first by workerInstance.ts: hides @azure/functions' test-mode warnings while the function modules load
 * and register (the local host runs the registry's copy of each definition), as dev/devEnvironment.ts does for
 * `npm run dev`.
 */
import { hideTestModeWarnings } from '../local-host/testModeWarnings';

export const restoreWarnings = hideTestModeWarnings();
