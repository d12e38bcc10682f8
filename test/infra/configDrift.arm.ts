import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppConfig, configSettingNames, loadConfig } from '../../src/config';
import { STORAGE_CONNECTION } from '../../src/functions/registry';
import { STREAM_IDS } from '../../src/streams/catalog';
import { GRAPH_CLOUDS } from '../../src/clouds/graphClouds';
import { Unresolved } from './support/armExpression';
import { AppSetting, compileDeployment, functionAppSettings } from './support/armTemplate';

/** Settings the platform reads, not src/config.ts. */
const HOST_SETTING = /^(APPLICATIONINSIGHTS_[A-Z_]+|AzureWebJobsStorage__[A-Za-z]+|AZURE_CLIENT_ID|WEBSITE_[A-Z_]+|languageWorkers__node__arguments)$/;

/** App settings as the app would see them; values only Azure knows at deployment time become placeholders. */
function environmentOf(settings: AppSetting[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of settings) {
    if (s.value instanceof Unresolved || String(s.value).includes('<unresolved:')) {
      env[s.name] = s.name.endsWith('ServiceUri') ? 'https://placeholder.example/' : 'placeholder';
    } else if (typeof s.value === 'string') {
      env[s.name] = s.value;
    } else {
      throw new Error(`app setting ${s.name} evaluates to a ${typeof s.value}, not a string: ${JSON.stringify(s.value)}`);
    }
  }
  return env;
}

/** The parts of the configuration that do not depend on the Azure resources of one deployment. */
function portable(config: AppConfig): Omit<AppConfig, 'storage' | 'graph' | 'api'> & { graph: Omit<AppConfig['graph'], 'clientId' | 'tenantId'> } {
  const { storage: _storage, api: _api, graph, ...rest } = config;
  const { clientId: _clientId, tenantId: _tenantId, ...graphRest } = graph;
  return { ...rest, graph: graphRest };
}

describe('template and src/config.ts agree', () => {
  const settings = functionAppSettings(compileDeployment());
  const env = environmentOf(settings);

  test('loadConfig accepts the app settings the template deploys', () => {
    const config = loadConfig(env);
    expect(config.storage.credential).toBe('managedidentity');
    expect(config.storage.connectionString).toBeUndefined();
    expect(config.graph.authMode).toBe('managedIdentity');
    expect(config.graph.baseUrl).toBe('https://graph.microsoft.com');
    expect(config.api).toEqual({ authentication: 'functionKey', platformAuthentication: false });
  });

  test('every setting the template sets is one the app reads or one the platform reads', () => {
    const known = new Set(configSettingNames());
    const unknown = settings.map((s) => s.name).filter((n) => !known.has(n) && !HOST_SETTING.test(n));
    expect(unknown).toEqual([]);
  });

  test('no setting is set twice', () => {
    const names = settings.map((s) => s.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  test('the template\'s defaults are the code\'s defaults', () => {
    const storageOnly = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('AzureWebJobsStorage__')));
    expect(portable(loadConfig(env))).toEqual(portable(loadConfig(storageOnly)));
  });

  test('every stream has its STREAM_<ID>_ENABLED setting pinned by the template', () => {
    for (const id of STREAM_IDS) expect(env[`STREAM_${id.toUpperCase()}_ENABLED`]).toMatch(/^(true|false)$/);
  });

  test('template parameters reach the app: a changed deployment gives the changed configuration', () => {
    const changedSettings = environmentOf(
        functionAppSettings(
          compileDeployment({
            exportSchedule: '0 */15 * * * *',
            backfillDays: 2,
            entraRetentionDays: 7,
            exportFormats: 'jsonl.gz',
            linkExpiryMinutes: 5,
            workerTimeBudgetSeconds: 900,
            recheckEnabled: true,
            streamProvisioningEnabled: false,
            apiClientId: '11111111-2222-3333-4444-555555555555',
          }),
        ),
      );
    // With authsettingsV2 deployed, the platform adds WEBSITE_AUTH_ENABLED=True to the app's environment.
    const changed = loadConfig({ ...changedSettings, WEBSITE_AUTH_ENABLED: 'True' });
    expect(changed.schedule).toBe('0 */15 * * * *');
    expect(changed.backfillDays).toBe(2);
    expect(changed.retentionDays).toBe(7);
    expect(changed.formats).toEqual(['jsonl.gz']);
    expect(changed.linkExpiryMinutes).toBe(5);
    expect(changed.worker.timeBudgetSeconds).toBe(900);
    expect(changed.recheck.enabled).toBe(true);
    expect(changed.streams.provisioning.enabled).toBe(false);
    expect(changed.streams.audit.enabled).toBe(true);
    expect(changed.api).toEqual({ authentication: 'appService', platformAuthentication: true });
    // Without the platform's word that App Service Authentication is on, the app refuses to trust principal headers.
    expect(() => loadConfig(changedSettings)).toThrow(/API_AUTHENTICATION.*WEBSITE_AUTH_ENABLED/);
  });

  test.each([
    ['AzureCloud', {}, 'https://graph.microsoft.com', 'https://graph.microsoft.com/.default'],
    ['AzureUSGovernment', {}, 'https://graph.microsoft.us', 'https://graph.microsoft.us/.default'],
    ['AzureUSGovernment', { graphBaseUrl: 'https://dod-graph.microsoft.us' }, 'https://dod-graph.microsoft.us', 'https://dod-graph.microsoft.us/.default'],
    ['AzureChinaCloud', {}, 'https://microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
    ['AzureCloud', { graphBaseUrl: 'https://graph.microsoft.us' }, 'https://graph.microsoft.us', 'https://graph.microsoft.us/.default'],
  ] as const)('in %s with %j the app reads Graph at %s with tokens for %s', (cloud, parameters, baseUrl, scope) => {
    const graph = loadConfig(environmentOf(functionAppSettings(compileDeployment(parameters, cloud)))).graph;
    expect({ baseUrl: graph.baseUrl, scope: graph.scope }).toEqual({ baseUrl, scope });
  });

  test('graphBaseUrl allows only the Graph service roots the app knows', () => {
    const allowed = compileDeployment().parameterDeclaration('graphBaseUrl').allowedValues;
    expect(allowed).toEqual(['', ...GRAPH_CLOUDS.map((c) => `https://${c.host}`)]);
  });

  test('the queue bindings\' connection prefix is the one the identity settings use', () => {
    for (const service of ['blob', 'queue', 'table']) expect(env[`${STORAGE_CONNECTION}__${service}ServiceUri`]).toBeDefined();
    expect(env[`${STORAGE_CONNECTION}__credential`]).toBe('managedidentity');
  });

  test('the worker time budget stays below host.json functionTimeout, whatever the parameter', () => {
    const hostJson = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'host.json'), 'utf8')) as { functionTimeout: string };
    const [h, m, s] = hostJson.functionTimeout.split(':').map(Number);
    const timeoutSeconds = h * 3600 + m * 60 + s;
    const declared = compileDeployment().parameterDeclaration('workerTimeBudgetSeconds');
    // An invocation without progress may run to 120% of its budget (src/export/exportSession.ts).
    expect(Number(declared.maxValue) * 1.2).toBeLessThan(timeoutSeconds);
    expect(Number(env.WORKER_TIME_BUDGET_SECONDS) * 1.2).toBeLessThan(timeoutSeconds);
  });
});
