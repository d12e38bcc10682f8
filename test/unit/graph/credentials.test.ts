import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { loadConfig } from '../../../src/config';
import { createGraphCredential, defaultCredentialOptions, SIMULATOR_DEFAULT_APP_ID, SimulatorCredential } from '../../../src/graph/credentials';
import { GLOBAL_GRAPH_CLOUD, graphScopeOf } from '../../../src/clouds/graphClouds';

const GRAPH_SCOPE = graphScopeOf(GLOBAL_GRAPH_CLOUD);

const baseEnv = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('createGraphCredential', () => {
  it('uses the managed identity in Azure', () => {
    const config = loadConfig({ ...baseEnv, AZURE_CLIENT_ID: '11111111-1111-1111-1111-111111111111' }).graph;
    expect(createGraphCredential(config)).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('uses DefaultAzureCredential when asked', () => {
    const config = loadConfig({ ...baseEnv, GRAPH_AUTH_MODE: 'defaultAzureCredential' }).graph;
    expect(createGraphCredential(config)).toBeInstanceOf(DefaultAzureCredential);
  });

  it.each([
    ['https://graph.microsoft.com', 'https://login.microsoftonline.com'],
    ['https://graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['https://dod-graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['https://microsoftgraph.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
  ])('DefaultAzureCredential for %s signs in at %s', (baseUrl, authorityHost) => {
    const config = loadConfig({ ...baseEnv, GRAPH_AUTH_MODE: 'defaultAzureCredential', GRAPH_BASE_URL: baseUrl, AZURE_TENANT_ID: 'tenant-1' }).graph;
    expect(defaultCredentialOptions(config)).toEqual({ tenantId: 'tenant-1', authorityHost });
  });

  it('issues an unsigned JWT with the appid claim for the simulator', async () => {
    const config = loadConfig({ ...baseEnv, GRAPH_AUTH_MODE: 'simulator', GRAPH_BASE_URL: 'http://127.0.0.1:4000', AZURE_CLIENT_ID: 'app-1', AZURE_TENANT_ID: 'tenant-1' }).graph;
    const token = await createGraphCredential(config).getToken(GRAPH_SCOPE);
    const [header, payload, signature] = (token?.token ?? '').split('.');
    expect(decode(header)).toEqual({ alg: 'none', typ: 'JWT' });
    const claims = decode(payload);
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', appid: 'app-1', tid: 'tenant-1' });
    expect(signature).toBe('');
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(token?.expiresOnTimestamp).toBe((claims.exp as number) * 1000);
  });

  it('falls back to a fixed app id, and returns a configured simulator token as is', async () => {
    const fixed = new SimulatorCredential({ appId: SIMULATOR_DEFAULT_APP_ID, tenantId: 't', now: () => 1_800_000_000_000 });
    const token = await fixed.getToken();
    expect(decode(token.token.split('.')[1])).toMatchObject({ appid: '00000000-0000-0000-0000-00000000c0de', iat: 1_800_000_000 });

    const config = loadConfig({ ...baseEnv, GRAPH_AUTH_MODE: 'simulator', GRAPH_BASE_URL: 'http://127.0.0.1:4000', GRAPH_SIMULATOR_TOKEN: 'static-token' }).graph;
    expect((await createGraphCredential(config).getToken(GRAPH_SCOPE))?.token).toBe('static-token');
  });
});
