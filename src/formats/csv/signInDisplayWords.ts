/**
 * Display words for sign-in enums, as the admin center's sign-in details pane shows them. Values not listed
 * are written as Graph returns them (see `wordFor`).
 */

export const USER_TYPE_WORDS: Readonly<Record<string, string>> = { member: 'Member', guest: 'Guest' };

export const AUTHENTICATION_REQUIREMENT_WORDS: Readonly<Record<string, string>> = {
  singleFactorAuthentication: 'Single-factor authentication',
  multiFactorAuthentication: 'Multifactor authentication',
};

export const CROSS_TENANT_ACCESS_TYPE_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  b2bCollaboration: 'B2B collaboration',
  b2bDirectConnect: 'B2B direct connect',
  microsoftSupport: 'Microsoft support',
  serviceProvider: 'Service provider',
  passthrough: 'Passthrough',
};

export const INCOMING_TOKEN_TYPE_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  primaryRefreshToken: 'Primary Refresh Token',
  saml11: 'SAML 1.1',
  saml20: 'SAML 2.0',
  remoteDesktopToken: 'Remote Desktop Token',
  refreshToken: 'Refresh Token',
};

export const AUTHENTICATION_PROTOCOL_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  oAuth2: 'OAuth 2.0',
  ropc: 'ROPC',
  wsFederation: 'WS-Federation',
  saml20: 'SAML 2.0',
  deviceCode: 'Device code',
};

export const ORIGINAL_TRANSFER_METHOD_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  deviceCodeFlow: 'Device code flow',
  authenticationTransfer: 'Authentication transfer',
};

export const CLIENT_CREDENTIAL_TYPE_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  clientSecret: 'Client secret',
  clientAssertion: 'Client assertion',
  federatedIdentityCredential: 'Federated identity credential',
  managedIdentity: 'Managed identity',
  certificate: 'Certificate',
};

export const TOKEN_PROTECTION_STATUS_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  bound: 'Bound',
  unbound: 'Unbound',
};

export const MSI_TYPE_WORDS: Readonly<Record<string, string>> = {
  none: 'None',
  userAssigned: 'User Assigned',
  systemAssigned: 'System Assigned',
};
