/**
 * InteractiveSignIns / NonInteractiveSignIns: the admin center's 57 columns (header current since 2025-01),
 * byte for byte, including its quirks: `Incoming token type` twice, trailing spaces in `Application ID ` and
 * `Resource ID `, two spaces in `Autonomous system  number`.
 */
import type { GraphRecord } from '../types';
import type { CsvColumn } from './csvColumn';
import { conditionalAccessWord, dateCell, wordFor } from './displayValues';
import { at, cellAt } from './graphValue';
import { signInApplicationToFailureColumns } from './signInSharedColumns';
import {
  AUTHENTICATION_PROTOCOL_WORDS,
  AUTHENTICATION_REQUIREMENT_WORDS,
  CLIENT_CREDENTIAL_TYPE_WORDS,
  CROSS_TENANT_ACCESS_TYPE_WORDS,
  INCOMING_TOKEN_TYPE_WORDS,
  MSI_TYPE_WORDS,
  ORIGINAL_TRANSFER_METHOD_WORDS,
  TOKEN_PROTECTION_STATUS_WORDS,
  USER_TYPE_WORDS,
} from './signInDisplayWords';

/** The deprecated `signInTokenProtectionStatus` stands in when Graph has no `tokenProtectionStatusDetails`. */
function tokenProtectionStatus(r: GraphRecord): unknown {
  return at(r, 'tokenProtectionStatusDetails', 'signInSessionStatus') ?? at(r, 'signInTokenProtectionStatus');
}

export const userSignInColumns: readonly CsvColumn<GraphRecord>[] = [
  { header: 'Date (UTC)', value: (r) => dateCell(r.createdDateTime) },
  { header: 'Request ID', value: (r) => cellAt(r, 'id') },
  { header: 'User agent', value: (r) => cellAt(r, 'userAgent') },
  { header: 'Correlation ID', value: (r) => cellAt(r, 'correlationId') },
  { header: 'User ID', value: (r) => cellAt(r, 'userId') },
  { header: 'User', value: (r) => cellAt(r, 'userDisplayName') },
  { header: 'Username', value: (r) => cellAt(r, 'userPrincipalName') },
  { header: 'User type', value: (r) => wordFor(USER_TYPE_WORDS, r.userType) },
  { header: 'Cross tenant access type', value: (r) => wordFor(CROSS_TENANT_ACCESS_TYPE_WORDS, r.crossTenantAccessType) },
  { header: 'Incoming token type', value: (r) => wordFor(INCOMING_TOKEN_TYPE_WORDS, r.incomingTokenType) },
  { header: 'Authentication Protocol', value: (r) => wordFor(AUTHENTICATION_PROTOCOL_WORDS, r.authenticationProtocol) },
  { header: 'Unique token identifier', value: (r) => cellAt(r, 'uniqueTokenIdentifier') },
  { header: 'Original transfer method', value: (r) => wordFor(ORIGINAL_TRANSFER_METHOD_WORDS, r.originalTransferMethod) },
  { header: 'Client credential type', value: (r) => wordFor(CLIENT_CREDENTIAL_TYPE_WORDS, r.clientCredentialType) },
  { header: 'Token Protection - Sign In Session', value: (r) => wordFor(TOKEN_PROTECTION_STATUS_WORDS, tokenProtectionStatus(r)) },
  { header: 'Token Protection - Sign In Session StatusCode', value: (r) => cellAt(r, 'tokenProtectionStatusDetails', 'signInSessionStatusCode') },
  ...signInApplicationToFailureColumns,
  { header: 'Client app', value: (r) => cellAt(r, 'clientAppUsed') },
  { header: 'Device ID', value: (r) => cellAt(r, 'deviceDetail', 'deviceId') },
  { header: 'Browser', value: (r) => cellAt(r, 'deviceDetail', 'browser') },
  { header: 'Operating System', value: (r) => cellAt(r, 'deviceDetail', 'operatingSystem') },
  { header: 'Compliant', value: (r) => cellAt(r, 'deviceDetail', 'isCompliant') },
  { header: 'Managed', value: (r) => cellAt(r, 'deviceDetail', 'isManaged') },
  { header: 'Join Type', value: (r) => cellAt(r, 'deviceDetail', 'trustType') },
  { header: 'Multifactor authentication result', value: (r) => cellAt(r, 'status', 'additionalDetails') },
  { header: 'Multifactor authentication auth method', value: (r) => cellAt(r, 'mfaDetail', 'authMethod') },
  { header: 'Multifactor authentication auth detail', value: (r) => cellAt(r, 'mfaDetail', 'authDetail') },
  { header: 'Authentication requirement', value: (r) => wordFor(AUTHENTICATION_REQUIREMENT_WORDS, r.authenticationRequirement) },
  { header: 'Sign-in identifier', value: (r) => cellAt(r, 'signInIdentifier') },
  { header: 'Session ID', value: (r) => cellAt(r, 'sessionId') },
  { header: 'IP address (seen by resource)', value: (r) => cellAt(r, 'ipAddressFromResourceProvider') },
  { header: 'Through Global Secure Access', value: (r) => cellAt(r, 'isThroughGlobalSecureAccess') },
  { header: 'Global Secure Access IP address', value: (r) => cellAt(r, 'globalSecureAccessIpAddress') },
  { header: 'Autonomous system  number', value: (r) => cellAt(r, 'autonomousSystemNumber') },
  { header: 'Flagged for review', value: (r) => cellAt(r, 'flaggedForReview') },
  { header: 'Token issuer type', value: (r) => cellAt(r, 'tokenIssuerType') },
  { header: 'Incoming token type', value: (r) => wordFor(INCOMING_TOKEN_TYPE_WORDS, r.incomingTokenType) },
  { header: 'Token issuer name', value: (r) => cellAt(r, 'tokenIssuerName') },
  { header: 'Latency', value: (r) => cellAt(r, 'processingTimeInMilliseconds') },
  { header: 'Conditional Access', value: conditionalAccessWord },
  ...managedIdentityColumns(),
];

/** The four managed-identity columns, shared with the MSISignIns layout. */
export function managedIdentityColumns(): CsvColumn<GraphRecord>[] {
  return [
    { header: 'Managed Identity type', value: (r) => wordFor(MSI_TYPE_WORDS, at(r, 'managedServiceIdentity', 'msiType')) },
    { header: 'Associated Resource Id', value: (r) => cellAt(r, 'managedServiceIdentity', 'associatedResourceId') },
    { header: 'Federated Token Id', value: (r) => cellAt(r, 'managedServiceIdentity', 'federatedTokenId') },
    { header: 'Federated Token Issuer', value: (r) => cellAt(r, 'managedServiceIdentity', 'federatedTokenIssuer') },
  ];
}
