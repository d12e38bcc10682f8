/** The app's entry point (package.json "main"): importing it registers every function. */
import './scheduleExports';
import './runExportJob';
import './exportsApi';
import './adhocExports';

export { registeredFunctions } from './registry';
