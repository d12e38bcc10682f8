// The one storage account of the exporter: Functions host storage (AzureWebJobsStorage), the deployment package,
// the export archive (container `exports`), job state (tables) and the job queue. Keys are switched off: every
// caller, the app included, authenticates with Entra ID, and download links are user-delegation SAS.

@description('Name of the storage account (3-24 lower-case letters and digits, globally unique).')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Redundancy of the account.')
param skuName string

@description('Container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Container holding the exported files and manifests.')
param exportsContainerName string

@description('Queue the timer and the HTTP API put export jobs on (src/functions/registry.ts JOBS_QUEUE_NAME).')
param jobsQueueName string

@description('Table names the app uses (jobs, streams, link audit).')
param tableNames array

@description('Days after the last write before an export moves to the Cool tier.')
param coolAfterDays int

@description('Days after the last write before an export moves to the Cold tier.')
param coldAfterDays int

@description('Move exports to the Archive tier (off by default: archived blobs cannot be downloaded through links until rehydrated).')
param archiveEnabled bool

@description('Days after the last write before an export moves to the Archive tier, when archiveEnabled.')
param archiveAfterDays int

@description('Days after the last write before an export is deleted.')
param deleteAfterDays int

@description('Days of time-based immutability (WORM) on the exports container, when immutability is not off.')
param immutabilityDays int

@description('Immutability of the exports container: off, unlocked (the template creates the policy), or locked (the policy is created and locked by infra/scripts/lock-exports-immutability.sh, which azd runs after provisioning; the template then leaves it alone).')
@allowed([
  'off'
  'unlocked'
  'locked'
])
param immutability string

@description('Days a deleted blob, an overwritten blob\'s previous version or a deleted container can be recovered.')
@minValue(1)
@maxValue(365)
param softDeleteDays int

@description('Log Analytics workspace that receives the queue service write logs (poison-queue alert) and the blob read and delete logs (download audit).')
param logAnalyticsWorkspaceId string

var poisonQueueName = '${jobsQueueName}-poison'
// The Functions host's own containers (keys, timer schedule state, singleton locks). Created here so that the app's
// blob role can be scoped to them instead of the whole account.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Reachable over the internet but only with an Entra token; a private endpoint needs a VNet-integrated app.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // Recoverable storage: an overwritten blob keeps its previous version and a deleted blob or container stays
    // recoverable for softDeleteDays (not after the lifecycle rule's deletion at the end of retention, which is on purpose).
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in hostContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: exportsContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Created Unlocked: it can still be shortened or removed. Locking it (immutability = 'locked', or `az storage container
// immutability-policy lock`) is a separate, irreversible step: no blob can then be deleted or overwritten, nor the
// account or resource group deleted, until every blob is older than the period. A locked policy cannot be written by
// a deployment any more, so with 'locked' the template leaves the policy to the lock script.
resource exportsImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = if (immutability == 'unlocked') {
  parent: exportsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: immutabilityDays
    allowProtectedAppendWrites: false
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource jobsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = {
  parent: queueService
  name: jobsQueueName
}

// The host creates it on first use; creating it here lets the alert and operators find it from day one.
resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = {
  parent: queueService
  name: poisonQueueName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

var tierActions = union(
  {
    tierToCool: { daysAfterModificationGreaterThan: coolAfterDays }
    tierToCold: { daysAfterModificationGreaterThan: coldAfterDays }
    delete: { daysAfterModificationGreaterThan: deleteAfterDays }
  },
  archiveEnabled ? { tierToArchive: { daysAfterModificationGreaterThan: archiveAfterDays } } : {}
)

// Exports are written once and read rarely: move them to cheaper tiers as they age and delete them after the
// retention period. Only the exports container is touched (the prefix starts with the container name). Previous
// versions of any blob (the host rewrites its timer state every few minutes) are kept as long as soft delete.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: softDeleteDays
                }
              }
            }
          }
        }
        {
          name: 'exports-tiering-and-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${exportsContainerName}/'
              ]
            }
            actions: {
              baseBlob: tierActions
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    exportsContainer
  ]
}

// Write operations of the queue service (PutMessage among them) go to Log Analytics so that an alert can see a
// message arriving on the poison queue; the account-level queue metrics have no per-queue dimension. Reads
// (the host's polling) are not logged, which keeps the volume small.
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'queue-writes-to-log-analytics'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
    ]
  }
}

// Reads and deletes of blobs go to Log Analytics (StorageBlobLogs): every download through a signed link is a
// GetBlob authenticated by a user delegation SAS, recorded with the caller's IP address, so downloads are audited by the
// platform, not only the minting of links (linkaudit). Writes (the host's lease renewals) are not logged.
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'blob-reads-to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
output exportsContainerName string = exportsContainer.name
output hostContainerNames array = [for (containerName, i) in hostContainerNames: hostContainers[i].name]
output jobsQueueName string = jobsQueue.name
output poisonQueueName string = poisonQueue.name
output tableNames array = [for (tableName, i) in tableNames: tables[i].name]
