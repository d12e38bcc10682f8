import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { at, compileDeployment, functionAppSettings, loadCompiledTemplate } from './support/armTemplate';

describe('function app', () => {
  const deployment = compileDeployment();
  const site = deployment.single('Microsoft.Web/sites');

  test('runs on a Flex Consumption (FC1) Linux plan', () => {
    const plan = deployment.single('Microsoft.Web/serverfarms');
    expect(at(plan.body, 'sku')).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    expect(at(plan.body, 'properties.reserved')).toBe(true);
    expect(site.body.kind).toBe('functionapp,linux');
  });

  test('runs Node 22 with the scale parameters of the template', () => {
    expect(at(site.body, 'properties.functionAppConfig.runtime')).toEqual({ name: 'node', version: '22' });
    expect(at(site.body, 'properties.functionAppConfig.scaleAndConcurrency')).toEqual({ maximumInstanceCount: 40, instanceMemoryMB: 2048 });
    const scaled = compileDeployment({ maximumInstanceCount: 100, instanceMemoryMB: 4096 }).single('Microsoft.Web/sites');
    expect(at(scaled.body, 'properties.functionAppConfig.scaleAndConcurrency')).toEqual({ maximumInstanceCount: 100, instanceMemoryMB: 4096 });
  });

  test('serves HTTPS only, TLS 1.2 at least, FTP(S) off', () => {
    expect(at(site.body, 'properties.httpsOnly')).toBe(true);
    expect(at(site.body, 'properties.siteConfig.minTlsVersion')).toBe('1.2');
    expect(at(site.body, 'properties.siteConfig.ftpsState')).toBe('Disabled');
  });

  test('runs as the user-assigned identity only', () => {
    expect(at(site.body, 'identity.type')).toBe('UserAssigned');
    const ids = Object.keys(at(site.body, 'identity.userAssignedIdentities') as object);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toContain('Microsoft.ManagedIdentity/userAssignedIdentities/id-entraexp-');
  });

  test('is tagged for azd as service "api"', () => {
    expect(at(site.body, 'tags.azd-service-name')).toBe('api');
  });

  test('gives the Node.js worker the V8 heap limits the memory benchmark measures (infra/app/nodeWorker.json)', () => {
    const file = JSON.parse(readFileSync(resolve(__dirname, '../../infra/app/nodeWorker.json'), 'utf8')) as { arguments: string };
    const setting = functionAppSettings(deployment).find((s) => s.name === 'languageWorkers__node__arguments');
    expect(setting?.value).toBe(file.arguments);
    expect(file.arguments).toMatch(/--max-old-space-size=\d+/);
    expect(file.arguments).toMatch(/--max-semi-space-size=\d+/);
  });
});

describe('app settings hold no secret', () => {
  const settings = functionAppSettings(compileDeployment());
  const byName = new Map(settings.map((s) => [s.name, s]));

  test('host storage uses the managed identity, never a connection string', () => {
    expect(byName.has('AzureWebJobsStorage')).toBe(false);
    expect(byName.get('AzureWebJobsStorage__credential')?.value).toBe('managedidentity');
    expect(String(byName.get('AzureWebJobsStorage__clientId')?.value)).toMatch(/^<unresolved:reference\(resourceId\('Microsoft\.ManagedIdentity\/userAssignedIdentities'.*\.clientId>$/);
    for (const service of ['blob', 'queue', 'table']) {
      expect(String(byName.get(`AzureWebJobsStorage__${service}ServiceUri`)?.value)).toContain(`primaryEndpoints.${service}`);
    }
    expect(String(byName.get('AZURE_CLIENT_ID')?.value)).toBe(String(byName.get('AzureWebJobsStorage__clientId')?.value));
  });

  test('no value carries an account key, a SAS, or a list*() call', () => {
    for (const s of settings) {
      const text = JSON.stringify(s.raw);
      expect({ name: s.name, text }).toEqual({ name: s.name, text: expect.not.stringMatching(/AccountKey=|SharedAccessSignature|sig=|listKeys|listConnectionStrings|listAccountSas|listServiceSas/i) });
    }
    expect(JSON.stringify(loadCompiledTemplate())).not.toMatch(/listKeys\(|listAccountSas\(|listServiceSas\(/);
  });

  test('Application Insights is reached with the connection string of the component and Entra auth, no bare key', () => {
    expect(byName.has('APPINSIGHTS_INSTRUMENTATIONKEY')).toBe(false);
    expect(String(byName.get('APPLICATIONINSIGHTS_CONNECTION_STRING')?.raw)).toMatch(/^\[reference\(resourceId\('Microsoft\.Insights\/components', .*\)\.ConnectionString\]$/);
    expect(String(byName.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')?.value)).toMatch(/^ClientId=<unresolved:[^>]*\.clientId>;Authorization=AAD$/);
    for (const s of settings.filter((x) => x.name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING')) {
      expect(JSON.stringify(s.raw)).not.toMatch(/InstrumentationKey/i);
    }
  });

  test('no setting Flex Consumption rejects or ignores', () => {
    const rejected = ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_WORKER_RUNTIME_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_CONTENTSHARE', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'ENABLE_ORYX_BUILD'];
    for (const name of rejected) expect(byName.has(name)).toBe(false);
  });

  test('no output of the deployment names a key, secret or connection string', () => {
    const outputs = Object.keys((loadCompiledTemplate().outputs ?? {}) as object);
    expect(outputs.filter((o) => /key|secret|connection|password/i.test(o))).toEqual([]);
  });
});

describe('publishing credentials', () => {
  test('FTP and SCM basic (user name and password) publishing are off: deployments authenticate with Entra ID', () => {
    const policies = compileDeployment().ofType('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => p.name.split('/').pop()).sort()).toEqual(['ftp', 'scm']);
    for (const p of policies) expect(at(p.body, 'properties.allow')).toBe(false);
  });
});

describe('App Service Authentication', () => {
  const AUTH = 'Microsoft.Web/sites/config';

  test('is off without an API client id, and the API is then guarded by function keys only', () => {
    const deployment = compileDeployment();
    expect(deployment.ofType(AUTH)).toHaveLength(0);
    expect(functionAppSettings(deployment).find((s) => s.name === 'API_AUTHENTICATION')?.value).toBe('functionKey');
  });

  test('with apiClientId: requires an Entra token for that API (401 otherwise) and makes the app demand the app roles', () => {
    const clientId = '11111111-2222-3333-4444-555555555555';
    const deployment = compileDeployment({ apiClientId: clientId });
    const auth = deployment.single(AUTH);
    expect(auth.name).toMatch(/\/authsettingsV2$/);
    expect(at(auth.body, 'properties.platform.enabled')).toBe(true);
    expect(at(auth.body, 'properties.globalValidation')).toEqual({ requireAuthentication: true, unauthenticatedClientAction: 'Return401' });
    expect(at(auth.body, 'properties.identityProviders.azureActiveDirectory.enabled')).toBe(true);
    expect(at(auth.body, 'properties.identityProviders.azureActiveDirectory.registration.clientId')).toBe(clientId);
    expect(at(auth.body, 'properties.identityProviders.azureActiveDirectory.validation.allowedAudiences')).toEqual([`api://${clientId}`, clientId]);
    expect(functionAppSettings(deployment).find((s) => s.name === 'API_AUTHENTICATION')?.value).toBe('appService');
    // WEBSITE_AUTH_ENABLED is the platform's to set (from authsettingsV2), never the template's.
    expect(functionAppSettings(deployment).find((s) => s.name === 'WEBSITE_AUTH_ENABLED')).toBeUndefined();
  });
});
