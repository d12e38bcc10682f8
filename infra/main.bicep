// Entra activity-log exporter: one resource group with a Flex Consumption function app, its managed identity,
// a hardened storage account, Log Analytics + Application Insights, least-privilege role assignments and alerts.
// `azd up` deploys it (azure.yaml); so does `az deployment sub create` (docs/deploy.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name (azd AZURE_ENV_NAME); names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region of every resource; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create or reuse; default rg-<environmentName>.')
param resourceGroupName string = ''

// ---------- Scale ----------

@description('Upper bound of Flex Consumption instances. Graph throttling, not CPU, bounds the export rate.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// ---------- Exporter settings (defaults equal the defaults in src/config.ts) ----------

@description('EXPORT_SCHEDULE: six-field NCRONTAB of the planning timer.')
param exportSchedule string = '0 */5 * * * *'

@description('BACKFILL_DAYS: days a new deployment exports backwards (at most entraRetentionDays).')
@minValue(0)
@maxValue(30)
param backfillDays int = 7

@description('ENTRA_RETENTION_DAYS: days Entra keeps this tenant\'s logs (7 on Entra ID Free, 30 with P1/P2).')
@minValue(7)
@maxValue(30)
param entraRetentionDays int = 30

@description('EXPORT_FORMATS: comma-separated list of jsonl, jsonl.gz, json, json.gz, csv, csv.gz, diag, diag.gz (diagnostic-settings layout).')
param exportFormats string = 'jsonl.gz,csv'

@description('LINK_EXPIRY_MINUTES: lifetime of a download link.')
@minValue(1)
@maxValue(60)
param linkExpiryMinutes int = 15

@description('WORKER_TIME_BUDGET_SECONDS: a worker invocation checkpoints and continues after this long (counted from its first record written; WORKER_HARD_LIMIT_SECONDS, 1620 s or 120% of it, bounds the whole invocation below host.json functionTimeout, 30 min).')
@minValue(10)
@maxValue(1440)
param workerTimeBudgetSeconds int = 1200

@description('RECHECK_ENABLED: re-read settled windows (RECHECK_AFTER_HOURS after they end) and write a new revision when Graph returns records the first pass missed or changed ones.')
param recheckEnabled bool = true

@description('STREAM_AUDIT_ENABLED: export audit logs.')
param streamAuditEnabled bool = true

@description('STREAM_INTERACTIVESIGNINS_ENABLED: export interactive user sign-ins (needs Entra ID P1/P2).')
param streamInteractiveSignInsEnabled bool = true

@description('STREAM_NONINTERACTIVESIGNINS_ENABLED: export non-interactive user sign-ins (needs Entra ID P1/P2).')
param streamNonInteractiveSignInsEnabled bool = true

@description('STREAM_SERVICEPRINCIPALSIGNINS_ENABLED: export service principal sign-ins (needs Entra ID P1/P2).')
param streamServicePrincipalSignInsEnabled bool = true

@description('STREAM_MANAGEDIDENTITYSIGNINS_ENABLED: export managed identity sign-ins (needs Entra ID P1/P2).')
param streamManagedIdentitySignInsEnabled bool = true

@description('STREAM_PROVISIONING_ENABLED: export provisioning logs (needs Entra ID P1/P2).')
param streamProvisioningEnabled bool = true

// ---------- Cloud ----------

@description('GRAPH_BASE_URL: Microsoft Graph service root of the tenant\'s cloud. Empty: the one of the Azure cloud deployed to (AzureCloud: graph.microsoft.com, AzureUSGovernment: graph.microsoft.us, AzureChinaCloud: microsoftgraph.chinacloudapi.cn). US Government L5 (DoD) tenants set https://dod-graph.microsoft.us; GCC (moderate) tenants keep https://graph.microsoft.com.')
@allowed([
  ''
  'https://graph.microsoft.com'
  'https://graph.microsoft.us'
  'https://dod-graph.microsoft.us'
  'https://microsoftgraph.chinacloudapi.cn'
])
param graphBaseUrl string = ''

// ---------- HTTP API authentication ----------

@description('Application (client) id of an Entra app registration for the HTTP API. Set it to turn on App Service Authentication (Entra tokens required, 401 otherwise) and API_AUTHENTICATION=appService (app roles Exports.Read / Exports.Run required); empty = function keys only.')
param apiClientId string = ''

// ---------- Storage, retention, immutability ----------

@description('Redundancy of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Days after the last write before an export moves to Cool.')
@minValue(1)
param exportsCoolAfterDays int = 30

@description('Days after the last write before an export moves to Cold (after Cool).')
@minValue(1)
param exportsColdAfterDays int = 90

@description('Move exports to Archive. Off by default: archived blobs cannot be downloaded through links until rehydrated (hours).')
param exportsArchiveEnabled bool = false

@description('Days after the last write before an export moves to Archive (after Cold), when exportsArchiveEnabled.')
@minValue(1)
param exportsArchiveAfterDays int = 180

@description('Days after the last write before an export is deleted (default 7 years).')
@minValue(1)
param exportsDeleteAfterDays int = 2555

@description('Immutability (WORM) of the exports container: off; unlocked (a time-based policy that can still be shortened or removed); locked (irreversible: nobody can delete or overwrite an export, nor delete the account or resource group, before it is exportsImmutabilityDays old; azd locks it after provisioning, docs/deploy.md).')
@allowed([
  'off'
  'unlocked'
  'locked'
])
param exportsImmutability string = 'off'

@description('Days an export stays immutable when exportsImmutability is not off (default 7 years).')
@minValue(1)
@maxValue(146000)
param exportsImmutabilityDays int = 2555

@description('Days a deleted blob or container, or an overwritten blob\'s previous version, stays recoverable (soft delete and versioning).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 14

@description('LINK_AUDIT_RETENTION_DAYS: days the linkaudit table keeps its rows (one per download link handed out); 0 = for ever.')
@minValue(0)
@maxValue(3650)
param linkAuditRetentionDays int = 365

// ---------- Monitoring and alerts ----------

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Daily Log Analytics ingestion cap in GB; -1 = no cap.')
param logDailyQuotaGb int = -1

@description('E-mail address for alerts; empty = alerts only in the portal.')
param alertEmail string = ''

@description('Hours without a successful export of an enabled stream before the stale-stream alert fires.')
@allowed([
  1
  2
  3
  4
  5
  6
  12
  24
  48
])
param noSuccessAlertHours int = 6

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  workload: 'entra-log-exporter'
}
var functionAppName = 'func-entraexp-${resourceToken}'
var planName = 'plan-entraexp-${resourceToken}'
var identityName = 'id-entraexp-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var logAnalyticsName = 'log-entraexp-${resourceToken}'
var applicationInsightsName = 'appi-entraexp-${resourceToken}'
var deploymentContainerName = 'app-package'
var exportsContainerName = 'exports'
var jobsQueueName = 'export-jobs'
var jobsTableName = 'jobs'
var streamsTableName = 'streams'
var linkAuditTableName = 'linkaudit'
// One row per app per tenant: the Graph request budget every instance draws from (docs/architecture.md).
var graphBudgetTableName = 'graphbudget'

var streamEnabled = {
  audit: streamAuditEnabled
  interactiveSignIns: streamInteractiveSignInsEnabled
  nonInteractiveSignIns: streamNonInteractiveSignInsEnabled
  servicePrincipalSignIns: streamServicePrincipalSignInsEnabled
  managedIdentitySignIns: streamManagedIdentitySignInsEnabled
  provisioning: streamProvisioningEnabled
}
// The Graph service root of each Azure cloud (learn.microsoft.com/graph/deployments); the app derives the token scope
// and sign-in authority from it (src/graph/graphClouds.ts). Any other cloud must set graphBaseUrl.
var graphBaseUrlOfCloud = {
  AzureCloud: 'https://graph.microsoft.com'
  AzureUSGovernment: 'https://graph.microsoft.us'
  AzureChinaCloud: 'https://microsoftgraph.chinacloudapi.cn'
}
var effectiveGraphBaseUrl = empty(graphBaseUrl) ? graphBaseUrlOfCloud[environment().name] : graphBaseUrl
var enabledStreams = map(filter(items(streamEnabled), s => s.value), s => s.key)

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    dailyQuotaGb: logDailyQuotaGb
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    exportsContainerName: exportsContainerName
    jobsQueueName: jobsQueueName
    tableNames: [
      jobsTableName
      streamsTableName
      linkAuditTableName
      graphBudgetTableName
    ]
    coolAfterDays: exportsCoolAfterDays
    coldAfterDays: exportsColdAfterDays
    archiveEnabled: exportsArchiveEnabled
    archiveAfterDays: exportsArchiveAfterDays
    deleteAfterDays: exportsDeleteAfterDays
    immutabilityDays: exportsImmutabilityDays
    immutability: exportsImmutability
    softDeleteDays: blobSoftDeleteDays
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    identityName: identityName
    hostContainerNames: storage.outputs.hostContainerNames
    deploymentContainerName: deploymentContainerName
    exportsContainerName: exportsContainerName
    queueNames: [
      storage.outputs.jobsQueueName
      storage.outputs.poisonQueueName
    ]
    stateTableNames: [
      jobsTableName
      streamsTableName
      graphBudgetTableName
    ]
    linkAuditTableName: linkAuditTableName
  }
  // The storage outputs order it after storage (which waits for monitoring); the identity must exist too.
  dependsOn: [
    identity
  ]
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: planName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    exportsContainerName: exportsContainerName
    jobsTableName: jobsTableName
    streamsTableName: streamsTableName
    linkAuditTableName: linkAuditTableName
    graphBudgetTableName: graphBudgetTableName
    applicationInsightsName: applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    exportSchedule: exportSchedule
    backfillDays: backfillDays
    entraRetentionDays: entraRetentionDays
    exportFormats: exportFormats
    linkExpiryMinutes: linkExpiryMinutes
    workerTimeBudgetSeconds: workerTimeBudgetSeconds
    recheckEnabled: recheckEnabled
    streamAuditEnabled: streamAuditEnabled
    streamInteractiveSignInsEnabled: streamInteractiveSignInsEnabled
    streamNonInteractiveSignInsEnabled: streamNonInteractiveSignInsEnabled
    streamServicePrincipalSignInsEnabled: streamServicePrincipalSignInsEnabled
    streamManagedIdentitySignInsEnabled: streamManagedIdentitySignInsEnabled
    streamProvisioningEnabled: streamProvisioningEnabled
    apiClientId: apiClientId
    graphBaseUrl: effectiveGraphBaseUrl
    linkAuditRetentionDays: linkAuditRetentionDays
  }
  // The containers, queues and tables exist and the roles are granted before the host first starts.
  dependsOn: [
    storage
    monitoring
    rbac
  ]
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: 'entraexp-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    poisonQueueName: storage.outputs.poisonQueueName
    enabledStreams: enabledStreams
    noSuccessHours: noSuccessAlertHours
    alertEmail: alertEmail
  }
}

// azd stores every output in the environment (.azure/<env>/.env); the scripts and docs use these names.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_HOST_NAME string = api.outputs.defaultHostName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_EXPORTS_CONTAINER string = storage.outputs.exportsContainerName
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
// Read by infra/scripts/lock-exports-immutability.sh, which azd runs after every provisioning (azure.yaml hooks).
output EXPORTS_IMMUTABILITY string = exportsImmutability
output EXPORTS_IMMUTABILITY_DAYS int = exportsImmutabilityDays
