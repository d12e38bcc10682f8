// Data-plane roles of the app's managed identity, each scoped to the containers, queues or tables it is for, never to
// the whole storage account: exactly what the Functions host and the exporter use. No management-plane role (Owner,
// Contributor, Storage Account Contributor) is granted: the app never changes Azure resources.
//
// | what                          | role                                         | scope                            |
// |-------------------------------|----------------------------------------------|----------------------------------|
// | host keys, timers, locks      | Storage Blob Data Owner                      | azure-webjobs-hosts, -secrets    |
// | deployment package            | Storage Blob Data Owner                      | app-package                      |
// | exports                       | exports writer (custom: read, create, write) | exports (no delete, no tags)     |
// | download links                | Storage Blob Delegator                       | account (user delegation key)    |
// | job queue and poison queue    | Storage Queue Data Contributor               | each queue                       |
// | jobs, streams, graphbudget    | Storage Table Data Contributor               | each table                       |
// | link audit                    | link audit appender (custom: read, insert, delete) | linkaudit (rows never altered) |
// | telemetry                     | Monitoring Metrics Publisher                 | Application Insights component   |

@description('Name of the storage account (host storage, exports, tables, queue).')
param storageAccountName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the app\'s user-assigned managed identity.')
param identityName string

@description('The Functions host\'s own containers (keys, timer state, locks).')
param hostContainerNames array

@description('Container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Container of the exported files and manifests.')
param exportsContainerName string

@description('The job queue and its poison queue.')
param queueNames array

@description('Tables of job and stream state and the Graph request budget (read and written freely).')
param stateTableNames array

@description('Table of issued download links (appended to, never altered).')
param linkAuditTableName string

// Built-in role definition ids (same in every tenant). Assignment names derive from the scope, the identity's
// resource id and the role, so a redeployment finds the same assignments.
var roles = {
  // Host storage with an identity needs it (Functions docs, "Connecting to host storage with an identity"); here only
  // on the host's containers and the deployment package.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Only `generateUserDelegationKey`: the key behind user-delegation download links, which the blob roles scoped to
  // containers cannot obtain (the key is an account-level operation). It grants no access to any blob.
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  // The queue trigger reads and deletes job messages, the output binding and continuations add them, and the host
  // moves failed messages to the poison queue.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Job rows, stream watermarks and the Graph request budget: read, insert, etag-guarded update, delete.
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

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: storage
  name: 'default'
}

resource ownedContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = [
  for containerName in concat(hostContainerNames, [deploymentContainerName]): {
    parent: blobService
    name: containerName
  }
]

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: exportsContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' existing = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' existing = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' existing = {
  parent: storage
  name: 'default'
}

resource stateTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' existing = [
  for tableName in stateTableNames: {
    parent: tableService
    name: tableName
  }
]

resource linkAuditTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' existing = {
  parent: tableService
  name: linkAuditTableName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Custom roles are named per resource group: role names are unique in a tenant, and each deployment has its own.
resource exportsWriterRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'entra-log-exporter-exports-writer')
  properties: {
    roleName: 'Entra log exporter exports writer (${resourceGroup().name})'
    description: 'Read, create and write export blobs. No delete, no tags, no immutability or ACL override: an export, once written, is removed only by the lifecycle rule.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource linkAuditAppenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'entra-log-exporter-link-audit-appender')
  properties: {
    roleName: 'Entra log exporter link audit appender (${resourceGroup().name})'
    description: 'Read and insert link audit rows, and delete rows past LINK_AUDIT_RETENTION_DAYS. No update: a recorded row cannot be altered.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/tableServices/tables/entities/read'
          'Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action'
          'Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in concat(hostContainerNames, [deploymentContainerName]): {
    name: guid(ownedContainers[i].id, identity.id, roles.storageBlobDataOwner)
    scope: ownedContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
      description: 'Functions host storage: keys, timer state, singleton locks, deployment package (${containerName}).'
    }
  }
]

resource exportsWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(exportsContainer.id, identity.id, exportsWriterRole.id)
  scope: exportsContainer
  properties: {
    roleDefinitionId: exportsWriterRole.id
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Writes exports and manifests; reads them for download links. Cannot delete them.'
  }
}

resource blobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDelegator)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'User delegation keys for download links (no blob access by itself).'
  }
}

resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in queueNames: {
    name: guid(queues[i].id, identity.id, roles.storageQueueDataContributor)
    scope: queues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
      description: 'Export job queue: trigger, output binding, continuations and the poison queue (${queueName}).'
    }
  }
]

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in stateTableNames: {
    name: guid(stateTables[i].id, identity.id, roles.storageTableDataContributor)
    scope: stateTables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
      description: 'Job and stream state, Graph request budget (${tableName}).'
    }
  }
]

resource linkAuditAppender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(linkAuditTable.id, identity.id, linkAuditAppenderRole.id)
  scope: linkAuditTable
  properties: {
    roleDefinitionId: linkAuditAppenderRole.id
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Appends one row per download link handed out; deletes rows past their retention.'
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
