/**
 * Filters of the audit stream (v1.0 `/auditLogs/directoryAudits`). Graph selects `activityDisplayName`
 * (equality, `startswith`), `correlationId`, `loggedByService`, the initiating user's id and user principal name,
 * the initiating app's id and name, and target resources by id (reference §2). `category` has no documented filter
 * support and the result, IP address, actor and target names none at all: those are applied while writing.
 */
import { odataString } from '../../graph/odata';
import { checkGuid, checkIpAddress, eqOnly, eqOrStartsWith, FilterTable, GraphRecordLike } from './filterDefinition';
import { MatchValue, textMatches, valueAt } from './matchValue';

function anyMatches(candidates: unknown[], value: MatchValue): boolean {
  return candidates.some((candidate) => textMatches(candidate, value));
}

function targets(record: GraphRecordLike): unknown[] {
  return Array.isArray(record.targetResources) ? record.targetResources : [];
}

export const AUDIT_FILTERS: FilterTable = {
  user: {
    matches: 'the user who initiated the activity: object id (initiatedBy/user/id) or user principal name (initiatedBy/user/userPrincipalName)',
    allowPrefix: true,
    graph: (v) => (v.guid ? `initiatedBy/user/id eq ${odataString(v.text)}` : eqOrStartsWith('initiatedBy/user/userPrincipalName', v)),
    test: (r, v) => textMatches(valueAt(r, 'initiatedBy', 'user', v.guid ? 'id' : 'userPrincipalName'), v),
  },
  application: {
    matches: 'the application that initiated the activity: app id (initiatedBy/app/appId) or name (initiatedBy/app/displayName)',
    allowPrefix: true,
    graph: (v) => (v.guid ? `initiatedBy/app/appId eq ${odataString(v.text)}` : eqOnly('initiatedBy/app/displayName', v)),
    test: (r, v) => textMatches(valueAt(r, 'initiatedBy', 'app', v.guid ? 'appId' : 'displayName'), v),
  },
  status: {
    matches: 'the result of the activity (result): success or failure',
    allowPrefix: false,
    values: ['success', 'failure'],
    graph: () => undefined,
    test: (r, v) => textMatches(r.result, v),
  },
  ipAddress: {
    matches: "the initiating user's IP address (initiatedBy/user/ipAddress)",
    allowPrefix: true,
    check: checkIpAddress,
    graph: () => undefined,
    test: (r, v) => textMatches(valueAt(r, 'initiatedBy', 'user', 'ipAddress'), v),
  },
  correlationId: {
    matches: 'the correlation id (correlationId)',
    allowPrefix: false,
    check: checkGuid,
    graph: (v) => `correlationId eq ${odataString(v.text)}`,
    test: (r, v) => textMatches(r.correlationId, v),
  },
  category: {
    matches: 'the category (category), such as UserManagement',
    allowPrefix: true,
    graph: () => undefined,
    test: (r, v) => textMatches(r.category, v),
  },
  activity: {
    matches: 'the activity (activityDisplayName), such as Update user',
    allowPrefix: true,
    graph: (v) => eqOrStartsWith('activityDisplayName', v),
    test: (r, v) => textMatches(r.activityDisplayName, v),
  },
  service: {
    matches: 'the service that logged the activity (loggedByService), such as Core Directory',
    allowPrefix: true,
    graph: (v) => eqOnly('loggedByService', v),
    test: (r, v) => textMatches(r.loggedByService, v),
  },
  initiatedBy: {
    matches: "the actor, user or app: the user's user principal name, display name or object id, or the app's name, app id or service principal id",
    allowPrefix: true,
    graph: () => undefined,
    test: (r, v) =>
      anyMatches(
        [
          valueAt(r, 'initiatedBy', 'user', 'userPrincipalName'),
          valueAt(r, 'initiatedBy', 'user', 'displayName'),
          valueAt(r, 'initiatedBy', 'user', 'id'),
          valueAt(r, 'initiatedBy', 'app', 'displayName'),
          valueAt(r, 'initiatedBy', 'app', 'appId'),
          valueAt(r, 'initiatedBy', 'app', 'servicePrincipalId'),
        ],
        v,
      ),
  },
  target: {
    matches: 'any target resource: its object id, display name or user principal name',
    allowPrefix: true,
    // Graph selects targets by id or display name only; a name may be a user principal name Graph cannot select.
    graph: (v) => (v.guid ? `targetResources/any(t: t/id eq ${odataString(v.text)})` : undefined),
    test: (r, v) => targets(r).some((t) => anyMatches([valueAt(t, 'id'), valueAt(t, 'displayName'), valueAt(t, 'userPrincipalName')], v)),
  },
};
