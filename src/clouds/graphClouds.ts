/**
 * The Microsoft Graph deployments the exporter can read: the global service and the national clouds. Each has its own
 * service root, token audience and Entra sign-in endpoint (learn.microsoft.com/graph/deployments): a token for
 * graph.microsoft.com is refused by graph.microsoft.us, so the token scope follows GRAPH_BASE_URL, and the credential
 * signs in at the cloud's own authority. GCC (moderate) tenants live in the global cloud and use graph.microsoft.com.
 */
export interface GraphCloud {
  /** What an administrator calls it. */
  name: string;
  /** Host of the service root, `https://{host}`. */
  host: string;
  /** The Entra authority that issues tokens for this cloud (DefaultAzureCredential's authorityHost). */
  authorityHost: string;
  /** `az cloud set --name …` before `az login`, for the Azure CLI credential. */
  azureCliCloud: string;
}

export const GRAPH_CLOUDS: readonly GraphCloud[] = [
  { name: 'Microsoft Graph global service', host: 'graph.microsoft.com', authorityHost: 'https://login.microsoftonline.com', azureCliCloud: 'AzureCloud' },
  { name: 'Microsoft Graph for US Government L4 (GCC High)', host: 'graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us', azureCliCloud: 'AzureUSGovernment' },
  { name: 'Microsoft Graph for US Government L5 (DoD)', host: 'dod-graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us', azureCliCloud: 'AzureUSGovernment' },
  { name: 'Microsoft Graph China operated by 21Vianet', host: 'microsoftgraph.chinacloudapi.cn', authorityHost: 'https://login.chinacloudapi.cn', azureCliCloud: 'AzureChinaCloud' },
];

export const GLOBAL_GRAPH_CLOUD = GRAPH_CLOUDS[0];

/** The cloud whose service root is `baseUrl` (https, no path), or undefined for any other URL. */
export function graphCloudOf(baseUrl: string): GraphCloud | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.port !== '' || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  return GRAPH_CLOUDS.find((cloud) => cloud.host === url.hostname.toLowerCase());
}

/** The `.default` scope of a cloud: the token's audience is the cloud's own Graph service root. */
export function graphScopeOf(cloud: GraphCloud): string {
  return `https://${cloud.host}/.default`;
}

/** Why `baseUrl` is not a Graph service root the exporter knows, naming the ones it does. */
export function unknownGraphCloudMessage(baseUrl: string): string {
  const roots = GRAPH_CLOUDS.map((cloud) => `https://${cloud.host}`).join(', ');
  return `${JSON.stringify(baseUrl)} is not a Microsoft Graph service root; use one of ${roots} (no path: the exporter adds /v1.0 or /beta), or GRAPH_AUTH_MODE=simulator for the local Graph simulator`;
}
