/** The app's entry point (package.json "main"): importing it registers every function. */
import './scheduleExports';
import './runExportJob';
import './recordPoisonedJob';
import './exportsApi';
import './adhocExports';
import './streamsApi';
import './downloadPage';
import './purgeLinkAudit';
// Last: the catch-all answers what no route above takes.
import './routeFallback';

export { registeredFunctions } from './registry';
