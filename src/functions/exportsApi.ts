/** HTTP: the exports API (list, show with signed links, download redirect). Logic: src/api/exportsApi.ts. */
import { InvocationContext } from '@azure/functions';
import type { Runtime } from '../app/runtime';
import { downloadExportFile, ExportsApiDeps, getExport, listExports, rerunExport } from '../api/exportsApi';
import type { ApiRequest, ApiResponse } from '../api/http';
import { adaptHttp } from './httpAdapter';
import { jobsQueueOutput, registerHttp } from './registry';

function apiDeps(runtime: Runtime): ExportsApiDeps {
  return {
    jobs: runtime.jobs,
    linkAudit: runtime.linkAudit,
    signer: runtime.signer,
    container: runtime.config.exportsContainer,
    linkExpiryMinutes: runtime.config.linkExpiryMinutes,
    auth: runtime.config.api,
    retentionDays: runtime.config.retentionDays,
    now: runtime.now,
  };
}

function adapt(run: (request: ApiRequest, deps: ExportsApiDeps, context: InvocationContext) => Promise<ApiResponse>) {
  return adaptHttp((request, runtime, context) => run(request, apiDeps(runtime), context));
}

export const listExportsHandler = adapt(listExports);
export const rerunExportHandler = adapt(async (request, deps, context) => {
  const { response, messages } = await rerunExport(request, deps);
  context.extraOutputs.set(jobsQueueOutput, messages);
  return response;
});
export const getExportHandler = adapt(getExport);
export const downloadExportFileHandler = adapt(downloadExportFile);

registerHttp({ name: 'listExports', methods: ['GET'], route: 'exports', authLevel: 'function', extraOutputs: [], handler: listExportsHandler });
registerHttp({ name: 'getExport', methods: ['GET'], route: 'exports/{jobId}', authLevel: 'function', extraOutputs: [], handler: getExportHandler });
registerHttp({
  name: 'downloadExportFile',
  methods: ['GET'],
  route: 'exports/{jobId}/files/{fileKey}',
  authLevel: 'function',
  extraOutputs: [],
  handler: downloadExportFileHandler,
});
registerHttp({
  name: 'rerunExport',
  methods: ['POST'],
  route: 'exports/{jobId}/rerun',
  authLevel: 'function',
  extraOutputs: [jobsQueueOutput],
  handler: rerunExportHandler,
});
