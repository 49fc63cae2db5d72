// Vault on Azure: a Function App on the Flex Consumption plan (.NET 10 isolated) with a user-assigned managed identity,
// identity-based Storage (host, tables, queues), Key Vault (RBAC, soft delete, purge protection) and Application
// Insights on Log Analytics. Deployed by `azd up` (azure.yaml) or `az deployment group create`.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
param environmentName string

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
var tags = { 'azd-env-name': environmentName }

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: 'id-vault-${token}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-vault-${token}'
    appInsightsName: 'appi-vault-${token}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'stvault${take(token, 17)}'
    location: location
    tags: tags
    deploymentContainerName: 'deployments'
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-vault-${take(token, 13)}'
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
  name: 'functionapp'
  params: {
    planName: 'plan-vault-${token}'
    appName: 'func-vault-${token}'
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
    codesEmailDomain: codesEmailDomain
    codesPublicBaseUrl: codesPublicBaseUrl
    mailgunSigningKeySecretUri: keyVault.outputs.mailgunSigningKeySecretUri
    twilioAuthTokenSecretUri: keyVault.outputs.twilioAuthTokenSecretUri
  }
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
