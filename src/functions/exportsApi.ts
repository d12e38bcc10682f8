/** HTTP: the exports API (list, show with signed links, download redirect). Logic: src/api/exportsApi.ts. */
import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getRuntime, Runtime } from '../app/runtime';
import { downloadExportFile, ExportsApiDeps, getExport, listExports, rerunExport } from '../api/exportsApi';
import { ApiRequest, ApiResponse, handled } from '../api/http';
import { jobsQueueOutput, registerHttp } from './registry';

function apiDeps(runtime: Runtime): ExportsApiDeps {
  return {
    jobs: runtime.jobs,
    linkAudit: runtime.linkAudit,
    signer: runtime.signer,
    container: runtime.config.exportsContainer,
    linkExpiryMinutes: runtime.config.linkExpiryMinutes,
    auth: runtime.config.api,
    now: runtime.now,
  };
}

function toApiRequest(request: HttpRequest): ApiRequest {
  return {
    method: request.method,
    url: request.url,
    query: request.query,
    params: request.params,
    header: (name) => request.headers.get(name),
    body: async () => Buffer.from(await request.arrayBuffer()),
  };
}

function adapt(run: (request: ApiRequest, deps: ExportsApiDeps, context: InvocationContext) => Promise<ApiResponse>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    return handled(async () => {
      const runtime = getRuntime();
      await runtime.ensureReady();
      return run(toApiRequest(request), apiDeps(runtime), context);
    }, (m) => context.error(m));
  };
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
