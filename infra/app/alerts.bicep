// Alerts an operator needs: a job gave up (poison queue), a job failed, a stream stopped exporting, a window is
// about to leave Entra's retention unexported, a window was lost to retention.
// They read the log lines the exporter writes (docs/deploy.md, "What the alerts read"):
//   ExportJobSucceeded stream=<id> jobId=<id> records=<n>
//   ExportJobFailed stream=<id> jobId=<id> code=<code>
//   ExportWindowsAtRisk stream=<id> windows=<n> oldest=<jobId> ... lostAt=<time>
//   ExportWindowLost stream=<id> jobId=<id> ...

@description('Prefix of the alert names.')
param namePrefix string

@description('Azure region of the scheduled query rules.')
param location string

@description('Tags applied to the alerts and the action group.')
param tags object

@description('Resource id of the Application Insights component (traces of the app).')
param applicationInsightsId string

@description('Resource id of the Log Analytics workspace (storage queue logs).')
param logAnalyticsWorkspaceId string

@description('Name of the poison queue.')
param poisonQueueName string

@description('Stream ids that are enabled; each must log ExportJobSucceeded at least once per noSuccessHours.')
param enabledStreams array

@description('Hours without an ExportJobSucceeded line of an enabled stream before the alert fires.')
param noSuccessHours int

@description('E-mail address that receives the alerts; empty = alerts show in the portal only.')
param alertEmail string

var notify = !empty(alertEmail)

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (notify) {
  name: '${namePrefix}-ag'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'entraexport'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = {
  actionGroups: notify ? [actionGroup.id] : []
}

// A message lands on the poison queue when a job failed maxDequeueCount (host.json) times in a row: the
// host's PutMessage on that queue appears in the queue service's StorageWrite log (storage.bicep diagnostics).
resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-poison-queue'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: export job moved to the poison queue'
    description: 'An export job failed on every attempt and its message was moved to ${poisonQueueName}. See docs/operations.md (poison messages).'
    severity: 1
    enabled: true
    scopes: [
      logAnalyticsWorkspaceId
    ]
    // StorageQueueLogs appears in the workspace only with the first logged write; without this the rule would be
    // refused on a fresh deployment ("failed to resolve table").
    skipQueryValidation: true
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'StorageQueueLogs\n| where OperationName == "PutMessage"\n| where ObjectKey contains "/${poisonQueueName}"\n| project TimeGenerated, AccountName, ObjectKey, StatusText'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource failedJobAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-job-failed'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: export job failed'
    description: 'The worker logged ExportJobFailed (stream, jobId and error code in the alert dimensions).'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'traces\n| where message has "ExportJobFailed"\n| extend stream = extract(@"stream=(\\S+)", 1, message), code = extract(@"code=(\\S+)", 1, message)\n| project timestamp, stream, code, message'
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'stream'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'code'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// One result row per enabled stream without any ExportJobSucceeded line in the window.
var noSuccessQuery = 'let enabled = dynamic(${string(enabledStreams)});\nlet succeeded = traces\n| where timestamp > ago(${noSuccessHours}h)\n| where message has "ExportJobSucceeded"\n| extend stream = extract(@"stream=(\\S+)", 1, message)\n| distinct stream;\nprint stream = enabled\n| mv-expand stream to typeof(string)\n| join kind=leftanti succeeded on stream'

resource staleStreamAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = if (!empty(enabledStreams)) {
  name: '${namePrefix}-stream-stale'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: no successful export of a stream for ${noSuccessHours} h'
    description: 'An enabled stream has not logged ExportJobSucceeded for ${noSuccessHours} hours (Graph permissions, licence, throttling or a stuck worker).'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT${noSuccessHours}H'
    criteria: {
      allOf: [
        {
          query: noSuccessQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'stream'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// The planner logs ExportWindowsAtRisk hourly per stream while windows within RETENTION_WARNING_DAYS of the
// retention edge are not exported yet, so the alert stays fired until they are.
resource atRiskAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-windows-at-risk'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: windows not exported are nearing the retention edge'
    description: 'Windows that are still not exported will leave Entra\'s retention soon (ExportWindowsAtRisk: stream, count, oldest job, lostAt). See docs/operations.md.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'traces\n| where message has "ExportWindowsAtRisk"\n| extend stream = extract(@"stream=(\\S+)", 1, message)\n| project timestamp, stream, message'
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'stream'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// A window was not exported before its start passed the retention edge: its records are gone from Entra.
resource lostWindowAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-window-lost'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: a window was lost to Entra\'s retention'
    description: 'A window was recorded as lostToRetention (ExportWindowLost: stream, jobId, last error). Its records are no longer in Entra; the streams table counts them (lostWindows). See docs/operations.md.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'traces\n| where message has "ExportWindowLost"\n| extend stream = extract(@"stream=(\\S+)", 1, message)\n| project timestamp, stream, message'
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'stream'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}
