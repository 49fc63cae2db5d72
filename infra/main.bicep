// Vault on Azure: a Function App on the Flex Consumption plan (.NET 10 isolated) with a user-assigned managed identity,
// identity-based Storage (host, tables, queues), Key Vault (RBAC, soft delete, purge protection) and Application
// Insights on Log Analytics. Deployed by `azd up` (azure.yaml) or `az deployment group create`.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
param environmentName string

@minLength(0)
@maxLength(4)
@description('Cell of this deployment (docs/capacity.md), lower-case letters and digits, e.g. c01: named in every resource name and the vault-cell tag. Empty (the default): the single deployment from before cells, with the names it always had.')
param cell string = ''

@description('Azure region of every resource.')
param location string = resourceGroup().location

@secure()
@minLength(32)
@description('Operator key for /v1/admin/* (stored in Key Vault, referenced by the app setting Vault__AdminKey).')
param adminKey string

@description('NCRONTAB schedule of the resync timer.')
param resyncSchedule string = '0 */15 * * * *'

@description('How long a connection may go without a sync before the background resync picks it up (TimeSpan).')
param resyncInterval string = '06:00:00'

@description('Calls per account per minute.')
param rateLimitPerMinute int = 600

@minValue(1)
@maxValue(1000)
@description('Most Flex Consumption instances the Function App scales out to (docs/capacity.md: the storage account binds before 40).')
param maximumInstanceCount int = 40

@description('Log level of the Functions host and the worker in Azure (per-call logs are Information, so Warning keeps them out of Application Insights; docs/capacity.md).')
@allowed(['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical', 'None'])
param logLevel string = 'Warning'

@description('Daily ingestion cap of the Log Analytics workspace in GB (-1: no cap). Ingestion stops for the rest of the UTC day once reached; docs/capacity.md sizes it.')
@minValue(-1)
param logDailyCapGb int = 5

@description('One-time codes: the mail domain whose mail Mailgun routes to /v1/inbound/email/mailgun (empty: runs get no address).')
param codesEmailDomain string = ''

@description('One-time codes: the public https URL Twilio calls, exactly as set in its console (its signature covers it), e.g. https://vault.example.com.')
param codesPublicBaseUrl string = ''

@secure()
@description('Mailgun\'s HTTP webhook signing key (stored in Key Vault, referenced by Vault__Codes__MailgunSigningKey; empty: the Mailgun route refuses every call).')
param mailgunSigningKey string = ''

@secure()
@description('Twilio\'s auth token (stored in Key Vault, referenced by Vault__Codes__TwilioAuthToken; empty: the Twilio route refuses every call).')
param twilioAuthToken string = ''

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
// A cell is named in every resource and module deployment name; without one, the names are those of the deployment
// from before cells (so redeploying it renames nothing).
var cellPrefix = empty(cell) ? '' : '${cell}-'
var cellSuffix = empty(cell) ? '' : '-${cell}'
var tags = union({ 'azd-env-name': environmentName }, empty(cell) ? {} : { 'vault-cell': cell })

module identity 'modules/identity.bicep' = {
  name: 'identity${cellSuffix}'
  params: { name: 'id-vault-${cellPrefix}${token}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring${cellSuffix}'
  params: {
    workspaceName: 'log-vault-${cellPrefix}${token}'
    appInsightsName: 'appi-vault-${cellPrefix}${token}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    dailyCapGb: logDailyCapGb
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage${cellSuffix}'
  params: {
    name: 'stvault${cell}${take(token, 17 - length(cell))}'
    location: location
    tags: tags
    deploymentContainerName: 'deployments'
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault${cellSuffix}'
  params: {
    name: 'kv-vault-${cellPrefix}${take(token, 13 - length(cellPrefix))}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    adminKey: adminKey
    mailgunSigningKey: mailgunSigningKey
    twilioAuthToken: twilioAuthToken
    hasMailgunSigningKey: !empty(mailgunSigningKey)
    hasTwilioAuthToken: !empty(twilioAuthToken)
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp${cellSuffix}'
  params: {
    planName: 'plan-vault-${cellPrefix}${token}'
    appName: 'func-vault-${cellPrefix}${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    deploymentContainerName: 'deployments'
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    adminKeySecretUri: keyVault.outputs.adminKeySecretUri
    resyncSchedule: resyncSchedule
    resyncInterval: resyncInterval
    rateLimitPerMinute: rateLimitPerMinute
    maximumInstanceCount: maximumInstanceCount
    logLevel: logLevel
    codesEmailDomain: codesEmailDomain
    codesPublicBaseUrl: codesPublicBaseUrl
    mailgunSigningKeySecretUri: keyVault.outputs.mailgunSigningKeySecretUri
    twilioAuthTokenSecretUri: keyVault.outputs.twilioAuthTokenSecretUri
  }
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output VAULT_CELL string = cell
