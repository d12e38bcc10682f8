/**
 * Filters of the four sign-in streams (beta `/auditLogs/signIns`). Graph selects `userId`, `appId`,
 * `correlationId` and `status/errorCode` by equality and `userPrincipalName`, `appDisplayName`, `ipAddress` by
 * equality or `startswith` (reference §2), so most of these run in Graph; the failure and interrupted statuses
 * are decided while writing, with the admin center's own rule (see INTERRUPT_ERROR_CODES).
 */
import { signInStatusWord } from '../../formats/csv/displayValues';
import type { StreamId } from '../../streams/catalog';
import { checkGuid, checkIpAddress, eqOrStartsWith, FilterDefinition, FilterTable } from './filterDefinition';
import { odataString } from '../../graph/odata';
import { textMatches } from './matchValue';

/** `success` (error code 0), `interrupted` (the admin center's interrupt codes) or `failure`: the CSV's Status word. */
export function signInStatus(record: Record<string, unknown>): string | undefined {
  const word = signInStatusWord(record);
  return typeof word === 'string' ? word.toLowerCase() : undefined;
}

const user: FilterDefinition = {
  matches: 'the user: object id (userId) or user principal name (userPrincipalName)',
  allowPrefix: true,
  graph: (v) => (v.guid ? `userId eq ${odataString(v.text)}` : eqOrStartsWith('userPrincipalName', v)),
  test: (r, v) => (v.guid ? textMatches(r.userId, v) : textMatches(r.userPrincipalName, v)),
};

const application: FilterDefinition = {
  matches: 'the application: app id (appId) or name (appDisplayName)',
  allowPrefix: true,
  graph: (v) => (v.guid ? `appId eq ${odataString(v.text)}` : eqOrStartsWith('appDisplayName', v)),
  test: (r, v) => (v.guid ? textMatches(r.appId, v) : textMatches(r.appDisplayName, v)),
};

const status: FilterDefinition = {
  matches: 'the sign-in status as the admin center shows it: success (error code 0), failure, or interrupted (the user was asked for more, such as MFA)',
  allowPrefix: false,
  values: ['success', 'failure', 'interrupted'],
  // Graph selects error code 0 by equality; "any other code but the interrupt codes" is not expressible.
  graph: (v) => (v.text === 'success' ? 'status/errorCode eq 0' : undefined),
  test: (r, v) => signInStatus(r) === v.text,
};

const ipAddress: FilterDefinition = {
  matches: 'the client IP address (ipAddress)',
  allowPrefix: true,
  check: checkIpAddress,
  graph: (v) => eqOrStartsWith('ipAddress', v),
  test: (r, v) => textMatches(r.ipAddress, v),
};

const correlationId: FilterDefinition = {
  matches: 'the correlation id (correlationId)',
  allowPrefix: false,
  check: checkGuid,
  graph: (v) => `correlationId eq ${odataString(v.text)}`,
  test: (r, v) => textMatches(r.correlationId, v),
};

const userSignIns: FilterTable = { user, application, status, ipAddress, correlationId };

/** Service principals and managed identities sign in as themselves: no user; managed identities have no client IP. */
export const SIGN_IN_FILTERS: Partial<Record<StreamId, FilterTable>> = {
  interactiveSignIns: userSignIns,
  nonInteractiveSignIns: userSignIns,
  servicePrincipalSignIns: {
    application: { ...application, matches: 'the service principal: app id (appId) or name (appDisplayName)' },
    status,
    ipAddress,
    correlationId,
  },
  managedIdentitySignIns: {
    application: { ...application, matches: 'the managed identity: app id (appId) or name (appDisplayName)' },
    status,
    correlationId,
  },
};
