// Key Vault for the connections' data keys (one secret per connection key; everything else of a connection is sealed
// under it in Table Storage) and the admin key: RBAC authorization, soft delete and purge protection.
param name string
param location string
param tags object
param principalId string

@secure()
param adminKey string

@secure()
param mailgunSigningKey string

@secure()
param twilioAuthToken string

// Whether each webhook secret was given (outputs may not look at the secrets themselves).
param hasMailgunSigningKey bool
param hasTwilioAuthToken bool

// The app creates a key secret at every connect and deletes it at every disconnect (crypto-shredding), under names
// it cannot know in advance, so it needs the secrets data role on the vault itself: Key Vault Secrets Officer (set,
// get, delete secrets). Nothing broader: no key or certificate rights, no vault management, no access policy rights.
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // The minimum Azure allows: a disconnected connection's key can be recovered for 7 days (by a principal with the
    // secrets role on this vault), then Key Vault purges it and every copy of the connection's rows is beyond
    // recovery. Purge protection stops anyone from shortening or skipping that window, but it also cannot be turned
    // off later. Note: an existing vault keeps the retention it was created with.
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource adminKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'vault-admin-key'
  properties: {
    value: adminKey
    contentType: 'text/plain'
  }
}

// The inbound webhooks' verification secrets, only when given: the app reads them through Key Vault references.
resource mailgunSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (hasMailgunSigningKey) {
  parent: vault
  name: 'vault-codes-mailgun-signing-key'
  properties: {
    value: mailgunSigningKey
    contentType: 'text/plain'
  }
}

resource twilioSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (hasTwilioAuthToken) {
  parent: vault
  name: 'vault-codes-twilio-auth-token'
  properties: {
    value: twilioAuthToken
    contentType: 'text/plain'
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

output uri string = vault.properties.vaultUri
output adminKeySecretUri string = adminKeySecret.properties.secretUri
output mailgunSigningKeySecretUri string = !hasMailgunSigningKey ? '' : mailgunSecret!.properties.secretUri
output twilioAuthTokenSecretUri string = !hasTwilioAuthToken ? '' : twilioSecret!.properties.secretUri
