// Azure infrastructure for the Teams bot "Krænkelser på sociale medier".
//
// Creates, in one resource group:
//   - a user-assigned managed identity (the web app uses it for Blob Storage, no storage key)
//   - a Storage account (state, cases, evidence, audit) with versioning, soft delete,
//     point-in-time restore, no public blob access, TLS 1.2, shared-key access off by default
//   - a Log Analytics workspace + workspace-based Application Insights, and diagnostic settings
//     that send App Service logs and metrics (and Storage metrics only: no request logs, which
//     would carry blob names with Entra object ids) to the workspace
//   - an App Service plan (Linux) and a Python 3.11 web app that runs `python app.py`
//   - an Azure Bot (single-tenant app registration) with the Microsoft Teams channel
//
// The app registration itself (client id + secret) is created beforehand by the operator
// (deployment/README.md, step 2) or by the Agents Toolkit (m365agents.yml) and passed in.
// Every parameter is described below; the defaults are the safe choice.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Naming and placement
// ---------------------------------------------------------------------------------------------

@description('Short lower-case name used as the prefix of every resource (letters, digits, hyphens).')
@minLength(3)
@maxLength(16)
param baseName string = 'kraenkelser'

@description('Azure region for everything except the bot registration (which is global). Default: the resource group\'s region.')
param location string = resourceGroup().location

@description('Tags put on every resource (for example cost centre, owner).')
param tags object = {}

// ---------------------------------------------------------------------------------------------
// Bot registration (single-tenant Microsoft Entra app)
// ---------------------------------------------------------------------------------------------

@description('Application (client) id of the single-tenant app registration the bot runs as.')
@minLength(36)
@maxLength(36)
param botAppId string

@description('Client secret of that app registration. Stored as an App Service setting (encrypted at rest), never in the template output.')
@secure()
param botAppPassword string

@description('Key that signs the evidence links on case cards, shared by all instances. A fresh random value per deployment by default (links live 30 minutes).')
@secure()
param evidenceLinkKey string = newGuid()

@description('Entra tenant id of the municipality. Only this tenant can use the bot.')
param tenantId string = subscription().tenantId

@description('Display name of the Azure Bot resource.')
@maxLength(42)
param botDisplayName string = 'Krænkelser på sociale medier'

@description('Azure Bot pricing tier. F0 is free and enough: Teams is a standard channel.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

// ---------------------------------------------------------------------------------------------
// Hosting
// ---------------------------------------------------------------------------------------------

@description('App Service plan SKU. Basic (B1) or higher is needed for "Always On", which the scheduler needs.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'P0v3'
  'P1v3'
  'P2v3'
])
param appServicePlanSku string = 'B1'

@description('Number of web app instances. More than one is safe: the scheduler takes a blob lease.')
@minValue(1)
@maxValue(10)
param instanceCount int = 1

@description('Autoscale the plan on CPU between autoscaleMinInstances and autoscaleMaxInstances (needs a Standard or Premium plan). Two instances behave as one.')
param enableAutoscale bool = false

@description('Fewest instances when autoscale is on (2 keeps the bot up while one restarts).')
@minValue(2)
@maxValue(10)
param autoscaleMinInstances int = 2

@description('Most instances when autoscale is on.')
@minValue(2)
@maxValue(10)
param autoscaleMaxInstances int = 4

@description('E-mail address that receives the alerts (notification undelivered, 5xx rate, MED broadcast failed, readiness failing). Empty = alerts fire in the portal only.')
param alertEmail string = ''

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

@description('Storage redundancy. ZRS keeps three copies in separate zones of the region; GZRS/GRS add a copy in the paired region.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Blob container that holds everything the bot stores (3-63 lower-case letters, digits, hyphens).')
@minLength(3)
@maxLength(63)
param containerName string = 'kraenkelser'

@description('Days a deleted or overwritten blob (and a deleted container) can be recovered.')
@minValue(7)
@maxValue(365)
param softDeleteRetentionDays int = 30

@description('Days back in time to which the container can be restored (point-in-time restore). Must be less than softDeleteRetentionDays.')
@minValue(1)
@maxValue(364)
param pointInTimeRestoreDays int = 14

@description('Days after which a previous blob version is deleted by the lifecycle policy. Bounds how long data outlives a deletion.')
@minValue(1)
@maxValue(365)
param previousVersionRetentionDays int = 30

@description('Allow storage account keys and connection strings. Off: the bot uses its managed identity and user-delegation SAS.')
param allowSharedKeyAccess bool = false

// ---------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------

@description('Days the Log Analytics workspace keeps logs and metrics.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

// ---------------------------------------------------------------------------------------------
// Bot settings (App Service settings; the names match .env.example)
// ---------------------------------------------------------------------------------------------

@description('Path of the leader directory file on the web app (CSV or JSON; upload it as described in the README). Empty: no file.')
param leaderDirectoryFile string = ''

@description('Look up the employee\'s manager in Microsoft Graph (needs the User.Read.All application permission and admin consent).')
param graphEnabled bool = false

@description('Comma-separated Entra object ids of HR / work-environment coordinators.')
param hrAadObjectIds string = ''

@description('Object id of an Entra group whose members are HR (needs GroupMember.Read.All). Empty: none.')
param hrGroupId string = ''

@description('Comma-separated Entra object ids of the bot\'s administrators.')
param adminAadObjectIds string = ''

@description('Time zone for deadlines, working days and MED reminder dates.')
param timeZone string = 'Europe/Copenhagen'

@description('Default language of the bot: da or en.')
@allowed([
  'da'
  'en'
])
param defaultLanguage string = 'da'

@description('"Immediately" in the guideline: the immediate steps are due at closing time on this working day after the clock starts.')
@minValue(0)
@maxValue(30)
param immediateDeadlineWorkingDays int = 1

@description('Office hours on working days, HH:MM-HH:MM: "straks" is counted in them.')
param officeHours string = '08:00-16:00'

@description('Days off every year beside the statutory Danish holidays, MM-DD comma-separated, or none.')
param extraHolidays string = '06-05,12-24,12-31'

@description('Office hours the leader has to acknowledge a new case before the deputy is brought in (and the same again before HR is told).')
@minValue(1)
@maxValue(40)
param ackWorkingHours int = 2

@description('An overdue step escalates to HR after this many days.')
@minValue(1)
@maxValue(90)
param escalateAfterDays int = 3

@description('The employee gets a check-in this many days after a follow-up date.')
@minValue(0)
@maxValue(90)
param checkinAfterFollowupDays int = 1

@description('An unfinished report draft is discarded after this many hours.')
@minValue(1)
@maxValue(2160)
param draftTtlHours int = 72

@description('Minutes a message may reach nobody before the employee is told and an ERROR is logged.')
@minValue(1)
@maxValue(10080)
param undeliveredAlertMinutes int = 60

@description('The two yearly MED evaluation reminder dates, MM-DD,MM-DD, in timeZone.')
param medReminderDates string = '03-01,09-01'

@description('Weeks before an evaluation not marked done gets one follow-up reminder.')
@minValue(1)
@maxValue(26)
param medFollowupWeeks int = 4

@description('Counts below this are shown as "under N" in MED figures, so no person can be identified.')
@minValue(1)
@maxValue(50)
param medAnonymityThreshold int = 3

@description('Largest evidence file accepted, in bytes (default 25 MB).')
@minValue(1024)
@maxValue(209715200)
param evidenceMaxBytes int = 26214400

@description('Extra host suffixes evidence may be fetched from (comma-separated, https only). Empty: the built-in Microsoft list.')
param evidenceAllowedHosts string = ''

@description('Days after closing before a case is deleted with its evidence and audit log (0 keeps cases; otherwise at least 365). HR can hold a case.')
@minValue(0)
@maxValue(3650)
param retentionDays int = 730

@description('Log level: INFO and above never log message text, names or case facts.')
@allowed([
  'DEBUG'
  'INFO'
  'WARNING'
  'ERROR'
])
param logLevel string = 'INFO'

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var suffix = substring(uniqueString(resourceGroup().id, baseName), 0, 6)
var compactBase = toLower(replace(baseName, '-', ''))
var storageAccountName = take('${compactBase}${uniqueString(resourceGroup().id, baseName)}', 24)
var webAppName = '${baseName}-${suffix}'
var botName = '${baseName}-bot-${suffix}'
var appPort = '8000'

// Built-in role definition ids (the same in every tenant).
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageBlobDelegatorRoleId = 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${baseName}-id-${suffix}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-log-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-appi-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    RetentionInDays: logRetentionDays
  }
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    changeFeed: {
      enabled: true // required by point-in-time restore
      retentionInDays: softDeleteRetentionDays
    }
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    restorePolicy: {
      enabled: true
      days: min(pointInTimeRestoreDays, softDeleteRetentionDays - 1)
    }
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

// Previous versions would otherwise be kept for ever; this bounds how long data outlives a change.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-versions'
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
                  daysAfterCreationGreaterThan: previousVersionRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Access for the managed identity (least privilege, no keys)
// ---------------------------------------------------------------------------------------------

// Read, write and delete blobs, only in the bot's container.
resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: container
  name: guid(container.id, identity.id, storageBlobDataContributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Blob index tags (read/write) and Find Blobs by Tags are not in Storage Blob Data Contributor;
// the built-in role that has them (Storage Blob Data Owner) grants far more, so a small custom role.
resource blobTagsRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, baseName, 'blob-index-tags')
  properties: {
    roleName: 'Blob index tags (${baseName}-${suffix})'
    description: 'Read and write blob index tags and find blobs by tags. Used by the Teams bot ${baseName}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/filter/action'
          // Retention deletes a deleted case's previous versions too, not only the current blob.
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/deleteBlobVersion/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource blobTags 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: container
  name: guid(container.id, identity.id, blobTagsRole.id)
  properties: {
    roleDefinitionId: blobTagsRole.id
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// A user-delegation key (for short-lived read links to evidence) is issued at account level.
resource blobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, storageBlobDelegatorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDelegatorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// App Service
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${baseName}-plan-${suffix}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: appServicePlanSku
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      appCommandLine: 'python app.py'
      alwaysOn: true
      healthCheckPath: '/readyz' // readiness: store reachable, scheduler alive (/healthz is liveness)
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        // Bot registration
        {
          name: 'MicrosoftAppId'
          value: botAppId
        }
        {
          name: 'MicrosoftAppPassword'
          value: botAppPassword
        }
        {
          name: 'MicrosoftAppType'
          value: 'SingleTenant'
        }
        {
          name: 'MicrosoftAppTenantId'
          value: tenantId
        }
        // Hosting: the app listens on PORT; App Service forwards to WEBSITES_PORT.
        {
          name: 'PORT'
          value: appPort
        }
        {
          name: 'WEBSITES_PORT'
          value: appPort
        }
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        // Storage through the managed identity (no connection string, no key)
        {
          name: 'STORAGE_ACCOUNT_URL'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'STORAGE_CONTAINER'
          value: containerName
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        // People
        {
          name: 'LEADER_DIRECTORY_FILE'
          value: leaderDirectoryFile
        }
        {
          name: 'GRAPH_ENABLED'
          value: graphEnabled ? 'true' : 'false'
        }
        {
          name: 'HR_AAD_OBJECT_IDS'
          value: hrAadObjectIds
        }
        {
          name: 'HR_GROUP_ID'
          value: hrGroupId
        }
        {
          name: 'ADMIN_AAD_OBJECT_IDS'
          value: adminAadObjectIds
        }
        // Guideline, calendar and language
        {
          name: 'TIME_ZONE'
          value: timeZone
        }
        {
          name: 'DEFAULT_LANGUAGE'
          value: defaultLanguage
        }
        {
          name: 'IMMEDIATE_DEADLINE_WORKING_DAYS'
          value: string(immediateDeadlineWorkingDays)
        }
        {
          name: 'OFFICE_HOURS'
          value: officeHours
        }
        {
          name: 'EXTRA_HOLIDAYS'
          value: extraHolidays
        }
        {
          name: 'ACK_WORKING_HOURS'
          value: string(ackWorkingHours)
        }
        {
          name: 'ESCALATE_AFTER_DAYS'
          value: string(escalateAfterDays)
        }
        {
          name: 'CHECKIN_AFTER_FOLLOWUP_DAYS'
          value: string(checkinAfterFollowupDays)
        }
        {
          name: 'DRAFT_TTL_HOURS'
          value: string(draftTtlHours)
        }
        {
          name: 'UNDELIVERED_ALERT_MINUTES'
          value: string(undeliveredAlertMinutes)
        }
        {
          name: 'MED_REMINDER_DATES'
          value: medReminderDates
        }
        {
          name: 'MED_FOLLOWUP_WEEKS'
          value: string(medFollowupWeeks)
        }
        {
          name: 'MED_ANONYMITY_THRESHOLD'
          value: string(medAnonymityThreshold)
        }
        // Evidence and retention
        {
          name: 'EVIDENCE_MAX_BYTES'
          value: string(evidenceMaxBytes)
        }
        {
          name: 'EVIDENCE_ALLOWED_HOSTS'
          value: evidenceAllowedHosts
        }
        {
          name: 'RETENTION_DAYS'
          value: string(retentionDays)
        }
        // Signed evidence links on the case cards point here (the route redirects to a SAS).
        {
          name: 'PUBLIC_BASE_URL'
          value: 'https://${webAppName}.azurewebsites.net'
        }
        {
          name: 'EVIDENCE_LINK_KEY'
          value: evidenceLinkKey
        }
      ]
    }
  }
  dependsOn: [
    // The app must not start before it may read and write its container.
    blobContributor
    blobTags
    blobDelegator
  ]
}

// Publishing over FTP with a user name and password is never needed.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// App Service: console output (the bot's own logs), HTTP access logs, platform events, metrics.
resource webAppDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webApp
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// Storage: metrics only. Request logs (StorageRead/Write/Delete) would record blob names,
// which contain Entra object ids, and callers' addresses: personal data we keep out of logs.
resource storageDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: workspace.id
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Alerts (the runbook in deployment/README.md says what each means and what to do)
// ---------------------------------------------------------------------------------------------

resource alertGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${baseName}-alerts-${suffix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'kraenkelser'
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

var alertActions = empty(alertEmail) ? [] : [alertGroup.id]

// Each rule: a KQL query over Application Insights (the same query the runbook gives).
var logAlerts = [
  {
    name: 'notification-undelivered'
    description: 'A notification reached nobody within its retry window: a case may be waiting for a person.'
    severity: 1
    query: 'customMetrics | where name == "notifications.undelivered" | summarize total = sum(valueSum)'
    threshold: 0
  }
  {
    name: 'server-errors'
    description: 'More than 5 % of requests to the bot answered 5xx in 15 minutes.'
    severity: 2
    query: 'requests | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total >= 20 | extend total = 100.0 * failed / total | project total'
    threshold: 5
  }
  {
    name: 'med-broadcast-failed'
    description: 'A MED reminder broadcast failed for at least one workplace.'
    severity: 2
    query: 'customMetrics | where name == "med.broadcast_failed" | summarize total = sum(valueSum)'
    threshold: 0
  }
]

resource queryAlerts 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for rule in logAlerts: {
  name: '${baseName}-${rule.name}-${suffix}'
  location: location
  tags: tags
  properties: {
    displayName: '${baseName}: ${rule.name}'
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'total'
          operator: 'GreaterThan'
          threshold: rule.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: alertActions
    }
  }
}]

resource readinessAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${baseName}-readiness-failing-${suffix}'
  location: 'global'
  tags: tags
  properties: {
    description: 'App Service health check (/readyz) below 100 %: an instance cannot reach its store or its scheduler stopped.'
    severity: 1
    enabled: true
    scopes: [
      webApp.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'health'
          criterionType: 'StaticThresholdCriterion'
          metricName: 'HealthCheckStatus'
          metricNamespace: 'Microsoft.Web/sites'
          operator: 'LessThan'
          threshold: 100
          timeAggregation: 'Average'
        }
      ]
    }
    actions: [for id in alertActions: {
      actionGroupId: id
    }]
  }
}

resource autoscale 'Microsoft.Insights/autoscalesettings@2022-10-01' = if (enableAutoscale) {
  name: '${baseName}-autoscale-${suffix}'
  location: location
  tags: tags
  properties: {
    enabled: true
    targetResourceUri: plan.id
    profiles: [
      {
        name: 'cpu'
        capacity: {
          minimum: string(autoscaleMinInstances)
          maximum: string(autoscaleMaxInstances)
          default: string(autoscaleMinInstances)
        }
        rules: [
          {
            metricTrigger: {
              metricName: 'CpuPercentage'
              metricResourceUri: plan.id
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT10M'
              timeAggregation: 'Average'
              operator: 'GreaterThan'
              threshold: 70
            }
            scaleAction: {
              direction: 'Increase'
              type: 'ChangeCount'
              value: '1'
              cooldown: 'PT10M'
            }
          }
          {
            metricTrigger: {
              metricName: 'CpuPercentage'
              metricResourceUri: plan.id
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT20M'
              timeAggregation: 'Average'
              operator: 'LessThan'
              threshold: 30
            }
            scaleAction: {
              direction: 'Decrease'
              type: 'ChangeCount'
              value: '1'
              cooldown: 'PT20M'
            }
          }
        ]
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Azure Bot with the Teams channel
// ---------------------------------------------------------------------------------------------

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs (the Agents Toolkit writes them into deployment/env/.env.<environment>)
// ---------------------------------------------------------------------------------------------

output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output WEB_APP_NAME string = webApp.name
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_RESOURCE_NAME string = bot.name
output STORAGE_ACCOUNT_NAME string = storage.name
output STORAGE_ACCOUNT_URL string = storage.properties.primaryEndpoints.blob
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output LOG_ANALYTICS_WORKSPACE_ID string = workspace.id
