/** HTTP: `POST /api/exports`, an on-demand export with filters. Logic: src/api/adhocExportsApi.ts. */
import { startAdhocExport } from '../api/adhocExportsApi';
import { adaptHttp } from './httpAdapter';
import { jobsQueueOutput, registerHttp } from './registry';

export const startAdhocExportHandler = adaptHttp(async (request, runtime, context) => {
  const { response, messages } = await startAdhocExport(request, {
    jobs: runtime.jobs,
    defaultFormats: runtime.config.formats,
    retentionDays: runtime.config.retentionDays,
    auth: runtime.config.api,
    now: runtime.now,
  });
  context.extraOutputs.set(jobsQueueOutput, messages);
  return response;
});

registerHttp({
  name: 'startAdhocExport',
  methods: ['POST'],
  route: 'exports',
  authLevel: 'function',
  extraOutputs: [jobsQueueOutput],
  handler: startAdhocExportHandler,
});
