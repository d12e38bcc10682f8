/** HTTP: `GET /api/streams`, stream health. Logic: src/api/streamsApi.ts. */
import { listStreams } from '../api/streamsApi';
import { adaptHttp } from './httpAdapter';
import { registerHttp } from './registry';

export const listStreamsHandler = adaptHttp((request, runtime) =>
  listStreams(request, { config: runtime.config, streams: runtime.streams, jobs: runtime.jobs, auth: runtime.config.api, now: runtime.now }),
);

registerHttp({ name: 'listStreams', methods: ['GET'], route: 'streams', authLevel: 'function', extraOutputs: [], handler: listStreamsHandler });
