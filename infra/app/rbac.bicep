// Data-plane roles of the app's managed identity: exactly what the Functions host and the exporter use, scoped to
// this app's own storage account and Application Insights component. No management-plane role (Owner,
// Contributor, Storage Account Contributor) is granted: the app never changes Azure resources.

@description('Name of the storage account (host storage, exports, tables, queue).')
param storageAccountName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the app\'s user-assigned managed identity.')
param identityName string

// Built-in role definition ids (same in every tenant). Assignment names derive from the scope, the identity's
// resource id and the role, so a redeployment finds the same assignments.
var roles = {
  // Host storage with an identity needs it (Functions docs, "Connecting to host storage with an identity"): the host
  // keeps function keys, timer schedule state and singleton leases in blobs and the platform reads the deployment
  // package from the same account. The account serves only this app, so account scope is this app's data.
  // It also covers the exporter's block uploads to `exports` and the user delegation key for download links.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // The queue trigger reads and deletes job messages, the output binding and continuations add them, and the host
  // moves failed messages to the poison queue: read, add, delete and create, i.e. Queue Data Contributor.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Job rows, watermarks, the link audit and the Graph request budget live in tables: read, insert, etag-guarded update, delete.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Application Insights has local auth disabled; ingestion with an Entra token needs this role on the component.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Functions host storage (keys, timers, leases, deployment package), exports and user delegation keys.'
  }
}

resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Export job queue: trigger, output binding, continuations and the poison queue.'
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Job, stream watermark, link audit and Graph request budget tables.'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Telemetry ingestion with Entra auth (Application Insights local auth is disabled).'
  }
}
