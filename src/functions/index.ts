/** The app's entry point (package.json "main"): importing it registers every function. */
import './scheduleExports';
import './runExportJob';
import './recordPoisonedJob';
import './exportsApi';

export { registeredFunctions } from './registry';
