/** Which `$filter` properties and operators each endpoint accepts (reference §2 and Appendices A/B). */
import type { EndpointName } from './options';
import type { ApiVersion } from './records/context';

export type ValueKind = 'time' | 'string' | 'number';
export type FilterOperator = 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt' | 'startswith' | 'contains';

export interface PropertyRule {
  kind: ValueKind;
  ops: ReadonlySet<FilterOperator>;
  betaOnly?: boolean;
}

const ops = (...names: FilterOperator[]): ReadonlySet<FilterOperator> => new Set(names);
const eqStarts = { kind: 'string' as const, ops: ops('eq', 'startswith') };
const eqOnly = { kind: 'string' as const, ops: ops('eq') };
const eqContains = { kind: 'string' as const, ops: ops('eq', 'contains') };

const RULES: Record<EndpointName, Record<string, PropertyRule>> = {
  directoryAudits: {
    activityDateTime: { kind: 'time', ops: ops('eq', 'ge', 'le') },
    activityDisplayName: eqStarts,
    category: eqStarts,
    loggedByService: eqStarts,
    correlationId: eqOnly,
    id: eqOnly,
    'initiatedBy/user/userPrincipalName': eqStarts,
    'initiatedBy/user/id': eqOnly,
    'initiatedBy/user/displayName': eqOnly,
    'initiatedBy/app/appId': eqOnly,
    'initiatedBy/app/displayName': eqOnly,
  },
  signIns: {
    createdDateTime: { kind: 'time', ops: ops('eq', 'ge', 'le') },
    id: eqOnly,
    userId: eqOnly,
    appId: eqOnly,
    correlationId: eqOnly,
    userPrincipalName: eqStarts,
    userDisplayName: eqStarts,
    appDisplayName: eqStarts,
    ipAddress: eqStarts,
    clientAppUsed: eqOnly,
    conditionalAccessStatus: eqOnly,
    resourceId: eqOnly,
    resourceDisplayName: eqOnly,
    riskLevelDuringSignIn: eqOnly,
    riskLevelAggregated: eqOnly,
    riskState: eqOnly,
    riskDetail: eqOnly,
    'status/errorCode': { kind: 'number', ops: ops('eq') },
    'deviceDetail/browser': eqStarts,
    'deviceDetail/operatingSystem': eqStarts,
    'location/city': eqStarts,
    'location/state': eqStarts,
    'location/countryOrRegion': eqStarts,
    servicePrincipalId: { ...eqStarts, betaOnly: true },
    servicePrincipalName: { ...eqStarts, betaOnly: true },
    authenticationRequirement: { ...eqStarts, betaOnly: true },
    userAgent: { ...eqStarts, betaOnly: true },
  },
  provisioning: {
    activityDateTime: { kind: 'time', ops: ops('eq', 'gt', 'lt') },
    id: eqContains,
    tenantId: eqContains,
    jobId: eqContains,
    changeId: eqContains,
    cycleId: eqContains,
    provisioningAction: eqContains,
    'provisioningStatusInfo/status': eqContains,
    'sourceSystem/displayName': eqContains,
    'targetSystem/displayName': eqContains,
    'sourceIdentity/id': eqContains,
    'sourceIdentity/displayName': eqContains,
    'targetIdentity/id': eqContains,
    'targetIdentity/displayName': eqContains,
    durationInMilliseconds: { kind: 'number', ops: ops('eq', 'gt', 'lt') },
  },
};

/**
 * Collection properties filterable through a lambda, `path/any(v: …)`, with the element properties and operators
 * Graph accepts inside it: directoryAudit `targetResources` by id (eq) and displayName (eq, startswith), ref §2.
 * (`signInEventTypes/any` selects streams and is planned separately, see queryPlan.ts.)
 */
const LAMBDA_RULES: Partial<Record<EndpointName, Record<string, Record<string, PropertyRule>>>> = {
  directoryAudits: {
    targetResources: { id: eqOnly, displayName: eqStarts },
  },
};

export function lambdaRules(endpoint: EndpointName, collection: string): Record<string, PropertyRule> | undefined {
  return LAMBDA_RULES[endpoint]?.[collection];
}

export function propertyRule(endpoint: EndpointName, version: ApiVersion, path: string): PropertyRule | undefined {
  const rule = RULES[endpoint][path];
  if (!rule || (rule.betaOnly && version !== 'beta')) return undefined;
  return rule;
}

export const TIME_PROPERTY: Record<EndpointName, string> = {
  directoryAudits: 'activityDateTime',
  signIns: 'createdDateTime',
  provisioning: 'activityDateTime',
};
