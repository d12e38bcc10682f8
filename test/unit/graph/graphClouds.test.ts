import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { ConfigError, loadConfig } from '../../../src/config';
import { createGraphClient } from '../../../src/graph/graphClient';
import { graphCloudOf, graphScopeOf, GRAPH_CLOUDS } from '../../../src/clouds/graphClouds';
import { TokenBucketRateLimiter } from '../../../src/graph/budget';

const storage = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
const SCOPES: Array<[string, string]> = [
  ['https://graph.microsoft.com', 'https://graph.microsoft.com/.default'],
  ['https://graph.microsoft.us', 'https://graph.microsoft.us/.default'],
  ['https://dod-graph.microsoft.us', 'https://dod-graph.microsoft.us/.default'],
  ['https://microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
];

/** Records the scopes every token was asked for. */
class RecordingCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    return { token: 'token', expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

/** Answers every request with one empty page, recording where it went; stands in for the national cloud's Graph. */
function recordingHttpClient(requests: PipelineRequest[]): HttpClient {
  return {
    async sendRequest(request) {
      requests.push(request);
      return { request, status: 200, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText: '{"value":[]}' };
    },
  };
}

describe('national clouds', () => {
  it.each(SCOPES)('%s maps to the token scope %s', (baseUrl, scope) => {
    const cloud = graphCloudOf(baseUrl);
    expect(cloud).toBeDefined();
    expect(graphScopeOf(cloud!)).toBe(scope);
    expect(loadConfig({ ...storage, GRAPH_BASE_URL: `${baseUrl}/` }).graph.scope).toBe(scope);
  });

  it.each(SCOPES)('the Graph client for %s asks for a token for %s and sends it there', async (baseUrl, scope) => {
    const config = loadConfig({ ...storage, GRAPH_BASE_URL: baseUrl, GRAPH_AUTH_MODE: 'defaultAzureCredential' }).graph;
    const credential = new RecordingCredential();
    const requests: PipelineRequest[] = [];
    const client = createGraphClient(config, {
      credential,
      httpClient: recordingHttpClient(requests),
      budget: new TokenBucketRateLimiter({ requests: 5, windowMs: 10_000 }),
    });
    await client.getPage(`${config.baseUrl}/v1.0/auditLogs/directoryAudits?$top=1`);
    expect(credential.scopes).toEqual([[scope]]);
    expect(new URL(requests[0].url).host).toBe(new URL(baseUrl).host);
    expect(requests[0].headers.get('authorization')).toBe('Bearer token');
  });

  it.each([
    'https://graph.microsoft.de',
    'https://graph.windows.net',
    'https://graph.microsoft.com.evil.example',
    'https://example.com',
    'https://graph.microsoft.us/v1.0',
    'https://graph.microsoft.com:8443',
  ])('refuses %s at start-up, naming GRAPH_BASE_URL and the known clouds', (baseUrl) => {
    expect(graphCloudOf(baseUrl)).toBeUndefined();
    const load = (): unknown => loadConfig({ ...storage, GRAPH_BASE_URL: baseUrl });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/GRAPH_BASE_URL: .*is not a Microsoft Graph service root; use one of https:\/\/graph\.microsoft\.com, https:\/\/graph\.microsoft\.us, https:\/\/dod-graph\.microsoft\.us, https:\/\/microsoftgraph\.chinacloudapi\.cn/);
  });

  it('accepts any host for the simulator, with the global scope and no authority', () => {
    const config = loadConfig({ ...storage, GRAPH_AUTH_MODE: 'simulator', GRAPH_BASE_URL: 'http://127.0.0.1:8790' }).graph;
    expect(config).toMatchObject({ baseUrl: 'http://127.0.0.1:8790', scope: 'https://graph.microsoft.com/.default', authorityHost: undefined });
  });

  it('host names are case-insensitive', () => {
    expect(graphCloudOf('https://Graph.Microsoft.US')).toBe(GRAPH_CLOUDS[1]);
  });
});
