/** `GET /api/streams`: the health of every stream (src/export/streamHealth.ts), for operators and the download page. */
import { z } from 'zod';
import { readStreamHealth, StreamHealthDeps } from '../export/streamHealth';
import { ApiAuthSettings, authorize } from './callerIdentity';
import { ApiRequest, ApiResponse, json } from './http';
import { parseQuery } from './query';

export interface StreamsApiDeps extends StreamHealthDeps {
  auth: ApiAuthSettings;
}

export async function listStreams(request: ApiRequest, deps: StreamsApiDeps): Promise<ApiResponse> {
  authorize(request, 'Exports.Read', deps.auth);
  parseQuery(z.object({}), request.query);
  const streams = await readStreamHealth(deps);
  return json(200, { streams, generatedAt: deps.now().toISOString() });
}
