// The function app on a Flex Consumption plan. It runs as the user-assigned managed identity and holds no secret:
// storage, Application Insights and Graph are reached with Entra tokens of that identity.

@description('Name of the function app (also the first label of its host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity (selects it for storage, Application Insights and Graph tokens).')
param identityClientId string

@description('Name of the storage account (host storage, exports, tables, queue).')
param storageAccountName string

@description('Container the app package is deployed to.')
param deploymentContainerName string

@description('Container the exports are written to.')
param exportsContainerName string

@description('Table of export jobs.')
param jobsTableName string

@description('Table of per-stream watermarks.')
param streamsTableName string

@description('Table of issued download links.')
param linkAuditTableName string

@description('Table of the shared Graph request budget (one row per app per tenant).')
param graphBudgetTableName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Upper bound of instances the plan scales out to.')
param maximumInstanceCount int

@description('Memory of each instance in MB.')
param instanceMemoryMB int

@description('GRAPH_BASE_URL: Microsoft Graph service root of the tenant\'s cloud (global or national).')
param graphBaseUrl string

@description('EXPORT_SCHEDULE: six-field NCRONTAB of the planning timer.')
param exportSchedule string

@description('BACKFILL_DAYS: days a new deployment exports backwards.')
param backfillDays int

@description('ENTRA_RETENTION_DAYS: days Entra keeps the logs of this tenant.')
param entraRetentionDays int

@description('EXPORT_FORMATS: comma-separated formats written for every window.')
param exportFormats string

@description('LINK_EXPIRY_MINUTES: lifetime of a download link.')
param linkExpiryMinutes int

@description('WORKER_TIME_BUDGET_SECONDS: time one worker invocation spends before it checkpoints and continues.')
param workerTimeBudgetSeconds int

@description('RECHECK_ENABLED: re-read settled windows and write a new revision when Graph returns more.')
param recheckEnabled bool

@description('STREAM_AUDIT_ENABLED')
param streamAuditEnabled bool

@description('STREAM_INTERACTIVESIGNINS_ENABLED')
param streamInteractiveSignInsEnabled bool

@description('STREAM_NONINTERACTIVESIGNINS_ENABLED')
param streamNonInteractiveSignInsEnabled bool

@description('STREAM_SERVICEPRINCIPALSIGNINS_ENABLED')
param streamServicePrincipalSignInsEnabled bool

@description('STREAM_MANAGEDIDENTITYSIGNINS_ENABLED')
param streamManagedIdentitySignInsEnabled bool

@description('STREAM_PROVISIONING_ENABLED')
param streamProvisioningEnabled bool

@description('Application (client) id of the Entra app registration that protects the HTTP API; empty = function keys only.')
param apiClientId string

@description('LINK_AUDIT_RETENTION_DAYS: days the linkaudit table keeps its rows; 0 = for ever.')
param linkAuditRetentionDays int

var authEnabled = !empty(apiClientId)

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// The Node.js worker's command-line arguments, kept in one file that the benchmark reads too (docs/performance.md).
var nodeWorker = loadJsonContent('nodeWorker.json')

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  // azd finds the app to deploy `services.api` to by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Flex takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and content-share settings are not set.
      appSettings: [
        // Host storage through the managed identity: no AzureWebJobsStorage connection string, no account key.
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        // The queue trigger/output (connection AzureWebJobsStorage) and the app's tables use the same account.
        { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
        // Makes DefaultAzureCredential / ManagedIdentityCredential pick the user-assigned identity.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        // The tenant whose logs are exported: named in every diagnostic-settings record (EXPORT_FORMATS diag).
        { name: 'AZURE_TENANT_ID', value: tenant().tenantId }
        // V8 heap limits for the Node.js worker (nodeWorker.json; the memory benchmark runs the exporter with the same).
        { name: 'languageWorkers__node__arguments', value: nodeWorker.arguments }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'GRAPH_AUTH_MODE', value: 'managedIdentity' }
        { name: 'GRAPH_BASE_URL', value: graphBaseUrl }
        // The names of what storage.bicep creates, so the app and the template cannot disagree.
        { name: 'EXPORTS_CONTAINER', value: exportsContainerName }
        { name: 'JOBS_TABLE', value: jobsTableName }
        { name: 'STREAMS_TABLE', value: streamsTableName }
        { name: 'LINK_AUDIT_TABLE', value: linkAuditTableName }
        { name: 'GRAPH_BUDGET_TABLE', value: graphBudgetTableName }
        { name: 'EXPORT_SCHEDULE', value: exportSchedule }
        { name: 'BACKFILL_DAYS', value: string(backfillDays) }
        { name: 'ENTRA_RETENTION_DAYS', value: string(entraRetentionDays) }
        { name: 'EXPORT_FORMATS', value: exportFormats }
        { name: 'LINK_EXPIRY_MINUTES', value: string(linkExpiryMinutes) }
        { name: 'LINK_AUDIT_RETENTION_DAYS', value: string(linkAuditRetentionDays) }
        { name: 'WORKER_TIME_BUDGET_SECONDS', value: string(workerTimeBudgetSeconds) }
        { name: 'RECHECK_ENABLED', value: recheckEnabled ? 'true' : 'false' }
        { name: 'STREAM_AUDIT_ENABLED', value: streamAuditEnabled ? 'true' : 'false' }
        { name: 'STREAM_INTERACTIVESIGNINS_ENABLED', value: streamInteractiveSignInsEnabled ? 'true' : 'false' }
        { name: 'STREAM_NONINTERACTIVESIGNINS_ENABLED', value: streamNonInteractiveSignInsEnabled ? 'true' : 'false' }
        { name: 'STREAM_SERVICEPRINCIPALSIGNINS_ENABLED', value: streamServicePrincipalSignInsEnabled ? 'true' : 'false' }
        { name: 'STREAM_MANAGEDIDENTITYSIGNINS_ENABLED', value: streamManagedIdentitySignInsEnabled ? 'true' : 'false' }
        { name: 'STREAM_PROVISIONING_ENABLED', value: streamProvisioningEnabled ? 'true' : 'false' }
        // appService (sign-in and app roles required) only together with App Service Authentication below; the app also
        // checks the platform's WEBSITE_AUTH_ENABLED, without which the principal headers would be forgeable.
        { name: 'API_AUTHENTICATION', value: authEnabled ? 'appService' : 'functionKey' }
      ]
    }
  }
}

// No FTP and no basic-auth (user name and password) publishing to the SCM site: deployments authenticate with Entra
// ID (azd, `az functionapp deployment`), so no long-lived publishing password exists that could push code.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Only when an API app registration is given: every request needs an Entra token for that API (401 otherwise).
// The built-in policy cannot require an app role, so the app itself checks the route's role (Exports.Read or
// Exports.Run) in the x-ms-client-principal header the platform injects.
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = if (authEnabled) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    httpSettings: {
      requireHttps: true
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: apiClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${apiClientId}'
            apiClientId
          ]
        }
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output planName string = plan.name
