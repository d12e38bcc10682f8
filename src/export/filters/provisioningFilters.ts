/**
 * Filters of the provisioning stream (v1.0 `/auditLogs/provisioning`). Graph's provisioning filters compare text
 * case-sensitively (reference §2), so only the closed-set values are sent to Graph, in Graph's spelling (status and
 * action); names and ids are matched while writing, ignoring case like every other filter.
 */
import { odataString } from '../../graph/odata';
import type { FilterTable } from './filterDefinition';
import { textMatches, valueAt } from './matchValue';

export const PROVISIONING_FILTERS: FilterTable = {
  application: {
    matches: 'the provisioning application (servicePrincipal): its id or name',
    allowPrefix: true,
    graph: () => undefined,
    test: (r, v) => textMatches(valueAt(r, 'servicePrincipal', 'id'), v) || textMatches(valueAt(r, 'servicePrincipal', 'displayName'), v),
  },
  status: {
    matches: 'the provisioning status (provisioningStatusInfo/status): success, failure, skipped or warning',
    allowPrefix: false,
    values: ['success', 'failure', 'skipped', 'warning'],
    graph: (v) => `provisioningStatusInfo/status eq ${odataString(v.text)}`,
    test: (r, v) => textMatches(valueAt(r, 'provisioningStatusInfo', 'status'), v),
  },
  identity: {
    matches: 'the source or target identity: its id or display name',
    allowPrefix: true,
    graph: () => undefined,
    test: (r, v) =>
      ['sourceIdentity', 'targetIdentity'].some((side) => textMatches(valueAt(r, side, 'id'), v) || textMatches(valueAt(r, side, 'displayName'), v)),
  },
  action: {
    matches: 'the provisioning action (provisioningAction): create, update, delete, disable, stagedDelete or other',
    allowPrefix: false,
    values: ['create', 'update', 'delete', 'disable', 'stagedDelete', 'other'],
    graph: (v) => `provisioningAction eq ${odataString(v.text)}`,
    test: (r, v) => textMatches(r.provisioningAction, v),
  },
};
