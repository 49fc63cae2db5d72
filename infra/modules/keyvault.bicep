// Key Vault for provider credentials (one secret per connection), account data keys and the admin key:
// RBAC authorization, soft delete and purge protection.
param name string
param location string
param tags object
param principalId string

@secure()
param adminKey string

// The app sets, reads and deletes secrets; it needs no key or certificate rights and no vault management.
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
    softDeleteRetentionInDays: 90
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
