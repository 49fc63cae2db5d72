// The Function App on the Flex Consumption plan, .NET 10 isolated worker, running as the user-assigned identity.
param planName string
param appName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param blobEndpoint string
param tableEndpoint string
param queueEndpoint string
param deploymentContainerName string
param appInsightsConnectionString string
param keyVaultUri string
param adminKeySecretUri string
param resyncSchedule string
param resyncInterval string
param rateLimitPerMinute int
param maximumInstanceCount int
param logLevel string
param codesEmailDomain string
param codesPublicBaseUrl string
param mailgunSigningKeySecretUri string
param twilioAuthTokenSecretUri string

// One-time codes: each setting only when configured; the webhook secrets as Key Vault references.
var codesSettings = concat(
  empty(codesEmailDomain) ? [] : [{ name: 'Vault__Codes__EmailDomain', value: codesEmailDomain }],
  empty(codesPublicBaseUrl) ? [] : [{ name: 'Vault__Codes__PublicBaseUrl', value: codesPublicBaseUrl }],
  empty(mailgunSigningKeySecretUri) ? [] : [{ name: 'Vault__Codes__MailgunSigningKey', value: '@Microsoft.KeyVault(SecretUri=${mailgunSigningKeySecretUri})' }],
  empty(twilioAuthTokenSecretUri) ? [] : [{ name: 'Vault__Codes__TwilioAuthToken', value: '@Microsoft.KeyVault(SecretUri=${twilioAuthTokenSecretUri})' }])

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat([
        // Identity-based host storage: no keys anywhere in settings.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'AZURE_CLIENT_ID', value: identityClientId } // DefaultAzureCredential in the app picks this identity
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'AzureWebJobsDisableHomepage', value: 'true' } // `/` is the app's dashboard, not the host's page
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'Vault__KeyVaultUri', value: keyVaultUri }
        { name: 'Vault__TableEndpoint', value: tableEndpoint }
        { name: 'Vault__QueueEndpoint', value: queueEndpoint }
        { name: 'Vault__AdminKey', value: '@Microsoft.KeyVault(SecretUri=${adminKeySecretUri})' }
        { name: 'Vault__ResyncSchedule', value: resyncSchedule }
        { name: 'Vault__ResyncInterval', value: resyncInterval }
        { name: 'Vault__RateLimit__PerMinute', value: string(rateLimitPerMinute) }
        // Azure's front end sets X-Forwarded-For; the worker's socket sees only the host. Failed-authentication
        // throttling needs the real client address.
        { name: 'Vault__AuthThrottle__TrustForwardedFor', value: 'true' }
        // Production log levels (host.json keeps Information for local runs and tests). The host's default covers
        // the per-invocation "Executing/Executed" traces and the worker's logs it forwards; Host.Results (the requests
        // table) and Host.Aggregator (exact per-function counts) stay Information in host.json. The worker's own
        // filter drops what would be dropped anyway before it crosses the gRPC channel.
        { name: 'AzureFunctionsJobHost__logging__logLevel__default', value: logLevel }
        { name: 'Logging__LogLevel__Default', value: logLevel }
      ], codesSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
