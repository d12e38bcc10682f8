/** Export filters: the admin center's filters for on-demand exports (see exportFilters.ts). */
export { compileExportFilters, filterNames, filterTable, FilterError, parseExportFilters } from './exportFilters';
export type { CompiledExportFilter } from './exportFilters';
export { FILTER_NAMES } from './filterDefinition';
export type { ExportFilters, FilterName } from './filterDefinition';
export { signInStatus } from './signInFilters';
