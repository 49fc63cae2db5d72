// One public entry for several Vault cells (docs/capacity.md, "Past one deployment: cells"): an Azure Front Door
// Standard profile with one endpoint, one origin group per cell (that cell's Function App) and rules that send a
// request to the cell named in it. Each cell is a separate deployment of main.bicep with its own `cell`; this template
// only needs each cell's host name (main.bicep's AZURE_FUNCTION_APP_HOSTNAME output). Deployed on its own:
//   az deployment group create -g <rg> -f infra/frontdoor.bicep -p cells='[{"name":"c00","hostName":"func-vault-….azurewebsites.net"},…]' defaultCell=c00
//
// Which cell a request belongs to is read from what the request already carries, never from a body:
//   X-API-Key  vk_<cell>.…                       every API-key route and the dashboard's calls
//   path       /v1/runs/run-<cell>-…             the run routes an agent calls with only a run token
//   path       /v1/admin/accounts/acct-<cell>-…  the operator's routes on one account
//   path       /cells/<cell>/…                   anything pinned to a cell by URL (webhooks, the operator's account
//                                                creation, health checks), the prefix removed before it reaches the cell
// Anything else (no prefix: keys and ids made before cells, /v1/health, /docs, the dashboard's files) goes to
// defaultCell.
targetScope = 'resourceGroup'

@description('Name of the Front Door profile.')
param profileName string = 'afd-vault'

@description('Name of the endpoint (its host is <name>-<hash>.<zone>.azurefd.net).')
param endpointName string = 'vault'

@description('The cells, each { name: the cell prefix in keys and ids (lower-case letters and digits, e.g. c01; the deployment from before cells is named here too, e.g. c00), hostName: its Function App host name }.')
@minLength(1)
@maxLength(25) // four rules a cell in one rule set of at most 100 rules
param cells array

@description('The cell (one of cells[].name) that serves requests naming no cell.')
param defaultCell string

@description('Tags of every resource.')
param tags object = {}

resource profile 'Microsoft.Cdn/profiles@2024-09-01' = {
  name: profileName
  location: 'global'
  tags: tags
  sku: { name: 'Standard_AzureFrontDoor' }
  properties: {
    originResponseTimeoutSeconds: 60
  }
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-09-01' = {
  parent: profile
  name: endpointName
  location: 'global'
  tags: tags
  properties: { enabledState: 'Enabled' }
}

resource originGroups 'Microsoft.Cdn/profiles/originGroups@2024-09-01' = [for c in cells: {
  parent: profile
  name: 'cell-${c.name}'
  properties: {
    loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 }
    healthProbeSettings: { probePath: '/v1/health', probeRequestType: 'GET', probeProtocol: 'Https', probeIntervalInSeconds: 100 }
    sessionAffinityState: 'Disabled'
  }
}]

resource origins 'Microsoft.Cdn/profiles/originGroups/origins@2024-09-01' = [for (c, i) in cells: {
  parent: originGroups[i]
  name: 'functionapp'
  properties: {
    hostName: c.hostName
    originHostHeader: c.hostName
    httpPort: 80
    httpsPort: 443
    priority: 1
    weight: 1000
    enabledState: 'Enabled'
    enforceCertificateNameCheck: true
  }
}]

resource ruleSet 'Microsoft.Cdn/profiles/ruleSets@2024-09-01' = {
  parent: profile
  name: 'cells'
}

// The action every rule of a cell takes: its origin group, no caching (every answer is per caller).
var toCell = [for (c, i) in cells: {
  name: 'RouteConfigurationOverride'
  parameters: {
    typeName: 'DeliveryRuleRouteConfigurationOverrideActionParameters'
    originGroupOverride: {
      originGroup: { id: originGroups[i].id }
      forwardingProtocol: 'HttpsOnly'
    }
  }
}]

// Rules per cell (a rule's conditions are ANDed, so each way of naming a cell is its own rule). Four rules a cell;
// a Standard profile allows 100 rules in a rule set, so past 25 cells add a second rule set.
resource keyRules 'Microsoft.Cdn/profiles/ruleSets/rules@2024-09-01' = [for (c, i) in cells: {
  parent: ruleSet
  name: 'key${c.name}'
  properties: {
    order: 4 * i + 1
    matchProcessingBehavior: 'Stop'
    conditions: [
      {
        name: 'RequestHeader'
        parameters: {
          typeName: 'DeliveryRuleRequestHeaderConditionParameters'
          selector: 'X-API-Key'
          operator: 'BeginsWith'
          negateCondition: false
          matchValues: ['vk_${c.name}.']
          transforms: []
        }
      }
    ]
    actions: [toCell[i]]
  }
}]

resource runRules 'Microsoft.Cdn/profiles/ruleSets/rules@2024-09-01' = [for (c, i) in cells: {
  parent: ruleSet
  name: 'run${c.name}'
  properties: {
    order: 4 * i + 2
    matchProcessingBehavior: 'Stop'
    conditions: [
      {
        name: 'UrlPath'
        parameters: {
          typeName: 'DeliveryRuleUrlPathMatchConditionParameters'
          operator: 'BeginsWith'
          negateCondition: false
          matchValues: ['v1/runs/run-${c.name}-']
          transforms: ['Lowercase']
        }
      }
    ]
    actions: [toCell[i]]
  }
}]

resource adminRules 'Microsoft.Cdn/profiles/ruleSets/rules@2024-09-01' = [for (c, i) in cells: {
  parent: ruleSet
  name: 'admin${c.name}'
  properties: {
    order: 4 * i + 3
    matchProcessingBehavior: 'Stop'
    conditions: [
      {
        name: 'UrlPath'
        parameters: {
          typeName: 'DeliveryRuleUrlPathMatchConditionParameters'
          operator: 'BeginsWith'
          negateCondition: false
          matchValues: ['v1/admin/accounts/acct-${c.name}-']
          transforms: ['Lowercase']
        }
      }
    ]
    actions: [toCell[i]]
  }
}]

resource pinnedRules 'Microsoft.Cdn/profiles/ruleSets/rules@2024-09-01' = [for (c, i) in cells: {
  parent: ruleSet
  name: 'pinned${c.name}'
  properties: {
    order: 4 * i + 4
    matchProcessingBehavior: 'Stop'
    conditions: [
      {
        name: 'UrlPath'
        parameters: {
          typeName: 'DeliveryRuleUrlPathMatchConditionParameters'
          operator: 'BeginsWith'
          negateCondition: false
          matchValues: ['cells/${c.name}/']
          transforms: ['Lowercase']
        }
      }
    ]
    actions: [
      {
        name: 'UrlRewrite'
        parameters: {
          typeName: 'DeliveryRuleUrlRewriteActionParameters'
          sourcePattern: '/cells/${c.name}/'
          destination: '/'
          preserveUnmatchedPath: true
        }
      }
      toCell[i]
    ]
  }
}]

resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-09-01' = {
  parent: endpoint
  name: 'all'
  properties: {
    originGroup: { id: originGroups[indexOf(map(cells, c => c.name), defaultCell)].id }
    ruleSets: [{ id: ruleSet.id }]
    supportedProtocols: ['Http', 'Https']
    httpsRedirect: 'Enabled'
    patternsToMatch: ['/*']
    forwardingProtocol: 'HttpsOnly'
    linkToDefaultDomain: 'Enabled'
    enabledState: 'Enabled'
  }
  dependsOn: [origins, keyRules, runRules, adminRules, pinnedRules]
}

output FRONT_DOOR_HOSTNAME string = endpoint.properties.hostName

// The value each cell's Function App should require in the X-Azure-FDID header, so only this profile reaches it.
output FRONT_DOOR_ID string = profile.properties.frontDoorId
