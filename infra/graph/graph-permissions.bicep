// OPTIONAL alternative to infra/scripts/grant-graph-permissions.sh: grants the exporter's managed identity the
// Microsoft Graph application permissions AuditLog.Read.All and Directory.Read.All with the Microsoft Graph Bicep
// extension. The extension is an OCI artifact that Bicep restores from the Microsoft container registry
// (bicepconfig.json next to this file, Bicep CLI 0.36.1 or later), so compiling this file needs that registry;
// scripts/infra-check.sh does not compile it. Deploy it into the exporter's resource group, after infra/main.bicep:
//   az deployment group create -g <resource group> -f infra/graph/graph-permissions.bicep -p identityName=<id-...>
// The deploying user needs an Entra role that may grant application permissions (e.g. Privileged Role Administrator).
extension microsoftGraphV1

@description('Name of the exporter\'s user-assigned managed identity (output of main.bicep: id-entraexp-...).')
param identityName string

var graphAppId = '00000003-0000-0000-c000-000000000000'
var permissions = [
  'AuditLog.Read.All'
  'Directory.Read.All'
]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for permission in permissions: {
    principalId: identity.properties.principalId
    resourceId: graph.id
    appRoleId: filter(graph.appRoles, role => role.value == permission)[0].id
  }
]
