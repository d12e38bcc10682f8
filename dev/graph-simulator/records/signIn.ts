/**
 * signIn records in the full beta schema (reference §8 and Appendix B), key order after a real portal
 * download; v1.0 gets the v1.0 subset (no signInEventTypes and the other beta-only properties).
 */
import type { StreamId } from '../../../src/streams/catalog';
import {
  apps, browsers, caPolicies, hardPeople, hardTexts, locations, operatingSystems, people, resources, signInFailures, userAgents,
} from '../pools';
import type { Rng } from '../random';
import { contentRng, derivedTime, entryTime, recordGuid, type RecordContext } from './context';

type SignInKind = 'interactiveUser' | 'nonInteractiveUser' | 'servicePrincipal' | 'managedIdentity';

const KIND_BY_STREAM: Partial<Record<StreamId, SignInKind>> = {
  interactiveSignIns: 'interactiveUser',
  nonInteractiveSignIns: 'nonInteractiveUser',
  servicePrincipalSignIns: 'servicePrincipal',
  managedIdentitySignIns: 'managedIdentity',
};

export function signInKindOf(stream: StreamId): SignInKind {
  const kind = KIND_BY_STREAM[stream];
  if (!kind) throw new Error(`${stream} is not a sign-in stream`);
  return kind;
}

const riskLevels = ['none', 'low', 'medium', 'high', 'hidden'] as const;

function appliedPolicies(rng: Rng, beta: boolean): Record<string, unknown>[] {
  // Mostly one or two policies; 10% with four, the larger records tenants with many policies produce.
  const u = rng.next();
  const count = u < 0.2 ? 0 : u < 0.9 ? 1 + rng.int(2) : 4;
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const policy = caPolicies[(k + rng.int(4)) % caPolicies.length];
    const result = rng.pick(['success', 'failure', 'notApplied', 'notEnabled', 'reportOnlySuccess'] as const);
    const base: Record<string, unknown> = {
      id: policy.id,
      displayName: policy.displayName,
      enforcedGrantControls: result === 'notApplied' ? [] : ['Mfa'],
      enforcedSessionControls: rng.chance(0.2) ? ['SignInFrequency', 'ContinuousAccessEvaluation'] : [],
    };
    if (beta) {
      base.sessionControlsNotSatisfied = [];
      base.result = result;
      base.conditionsSatisfied = 'application,users';
      base.conditionsNotSatisfied = result === 'notApplied' ? 'location,ipAddressSeenByAzureAD' : 'none';
      base.authenticationStrength = rng.chance(0.3)
        ? { authenticationStrengthId: '00000000-0000-0000-0000-000000000002', displayName: 'Multifactor authentication', authenticationStrengthResult: 'satisfied' }
        : null;
      base.includeRulesSatisfied = [{ conditionalAccessCondition: 'application', ruleSatisfied: 'allApps' }, { conditionalAccessCondition: 'users', ruleSatisfied: 'allUsers' }];
      base.excludeRulesSatisfied = [];
    } else {
      base.result = result;
    }
    out.push(base);
  }
  return out;
}

function authenticationDetails(ctx: RecordContext, rng: Rng, succeeded: boolean): Record<string, unknown>[] {
  if (rng.chance(0.1)) return [];
  const steps: Record<string, unknown>[] = [
    {
      authenticationStepDateTime: derivedTime(ctx, 0),
      authenticationMethod: 'Password',
      authenticationMethodDetail: 'Password in the cloud',
      succeeded,
      authenticationStepResultDetail: succeeded ? 'Correct password' : 'Invalid username or password or Invalid on-premise username or password.',
      authenticationStepRequirement: 'Primary authentication',
    },
  ];
  if (succeeded && rng.chance(0.5)) {
    steps.push({
      authenticationStepDateTime: derivedTime(ctx, 8_123.4567),
      authenticationMethod: rng.pick(['Mobile app notification', 'OATH verification code', 'Text message']),
      authenticationMethodDetail: rng.chance(0.1) ? hardTexts[rng.int(hardTexts.length)] : null,
      succeeded: true,
      authenticationStepResultDetail: 'MFA successfully completed',
      authenticationStepRequirement: 'Multifactor authentication',
    });
  }
  return steps;
}

/** Builds one sign-in; `ctx.entry.v === 1` is a republished version with risk/status details changed. */
export function buildSignIn(ctx: RecordContext, stream: StreamId): Record<string, unknown> {
  const rng = contentRng(ctx, 0x516);
  const beta = ctx.version === 'beta';
  const kind = signInKindOf(stream);
  const isUser = kind === 'interactiveUser' || kind === 'nonInteractiveUser';
  const person = rng.chance(0.06) ? hardPeople[rng.int(hardPeople.length)] : people[rng.int(people.length)];
  const app = apps[rng.int(apps.length)];
  const resource = resources[rng.int(resources.length)];
  const loc = locations[rng.int(locations.length)];
  const failure = rng.chance(0.12) ? signInFailures[rng.int(signInFailures.length)] : undefined;
  const correlationId = rng.guid();
  const republished = ctx.entry.v === 1;
  const baseRisk = rng.chance(0.9) ? 'none' : rng.pick(riskLevels);
  const laterRisk = rng.chance(0.5) ? 'medium' : 'high';
  const risk = republished ? laterRisk : baseRisk;
  const ip = rng.chance(0.2) ? `2001:db8:${rng.int(65535).toString(16)}::${rng.int(65535).toString(16)}` : `203.0.113.${rng.int(255)}`;
  const hardStatus = rng.chance(0.08);
  const hardStatusText = hardTexts[rng.int(hardTexts.length)];
  const statusDetails = republished
    ? 'Risk re-evaluated after sign-in'
    : failure ? null : hardStatus ? hardStatusText : 'MFA requirement satisfied by claim in the token';
  const msi = kind === 'managedIdentity';
  const sp = kind === 'servicePrincipal';
  const spApp = apps[(rng.int(apps.length) + 3) % apps.length];
  const userAgent = isUser ? userAgents[rng.int(userAgents.length)] : '';

  const record: Record<string, unknown> = {
    id: recordGuid(ctx, 0x1d),
    createdDateTime: entryTime(ctx),
    userDisplayName: isUser ? person.displayName : null,
    userPrincipalName: isUser ? person.upn : null,
    userId: isUser ? person.id : '',
    appId: isUser ? app.appId : spApp.appId,
    appDisplayName: isUser ? app.displayName : spApp.displayName,
    ipAddress: msi ? '' : ip,
  };
  if (beta) record.ipAddressFromResourceProvider = null;
  record.clientAppUsed = isUser ? rng.pick(['Browser', 'Mobile Apps and Desktop clients']) : null;
  record.userAgent = userAgent;
  record.correlationId = correlationId;
  record.conditionalAccessStatus = failure?.errorCode === 53003 ? 'failure' : rng.pick(['success', 'notApplied'] as const);
  if (beta) record.originalRequestId = rng.chance(0.5) ? recordGuid(ctx, 0x2e) : '';
  record.isInteractive = kind === 'interactiveUser';
  if (beta) {
    record.tokenIssuerName = '';
    record.tokenIssuerType = 'AzureAD';
    record.clientCredentialType = sp ? rng.pick(['clientSecret', 'certificate', 'clientAssertion'] as const) : msi ? 'managedIdentity' : 'none';
    record.processingTimeInMilliseconds = 20 + rng.int(400);
  }
  record.riskDetail = risk === 'none' ? 'none' : risk === 'hidden' ? 'hidden' : 'none';
  if (!beta) record.riskEventTypes = risk === 'none' || risk === 'hidden' ? [] : ['unfamiliarFeatures'];
  record.riskEventTypes_v2 = risk === 'none' || risk === 'hidden' ? [] : ['unfamiliarFeatures'];
  record.riskLevelAggregated = risk;
  record.riskLevelDuringSignIn = risk;
  record.riskState = risk === 'none' || risk === 'hidden' ? 'none' : 'atRisk';
  record.resourceDisplayName = resource.displayName;
  record.resourceId = resource.id;
  record.resourceTenantId = ctx.tenantId;
  record.homeTenantId = ctx.tenantId;
  if (beta) {
    record.homeTenantName = rng.chance(0.5) ? 'Contoso' : '';
    record.authenticationMethodsUsed = [];
    record.authenticationRequirement = isUser && rng.chance(0.4) ? 'multiFactorAuthentication' : 'singleFactorAuthentication';
    record.signInIdentifier = isUser ? person.upn : '';
    record.signInIdentifierType = isUser ? 'userPrincipalName' : null;
  }
  record.servicePrincipalName = sp || msi ? spApp.displayName : null;
  if (beta) record.signInEventTypes = [kind];
  record.servicePrincipalId = sp || msi ? spApp.servicePrincipalId : '';
  if (beta) {
    record.federatedCredentialId = null;
    record.userType = isUser ? (rng.chance(0.1) ? 'guest' : 'member') : 'member';
    record.flaggedForReview = false;
    record.isTenantRestricted = false;
    record.autonomousSystemNumber = msi ? 0 : 8075 + rng.int(50000);
    record.crossTenantAccessType = 'none';
    record.servicePrincipalCredentialKeyId = sp ? recordGuid(ctx, 0x3f) : null;
    record.servicePrincipalCredentialThumbprint = sp && rng.chance(0.5) ? rng.hex(40).toUpperCase() : '';
    record.uniqueTokenIdentifier = rng.hex(22);
    record.incomingTokenType = kind === 'nonInteractiveUser' ? rng.pick(['none', 'primaryRefreshToken']) : 'none';
    record.authenticationProtocol = 'none';
    record.resourceServicePrincipalId = resource.id;
    record.signInTokenProtectionStatus = 'none';
    record.originalTransferMethod = 'none';
    record.isThroughGlobalSecureAccess = false;
    record.globalSecureAccessIpAddress = '';
    record.sessionId = isUser ? recordGuid(ctx, 0x40) : '';
    record.clientSessionId = '';
    record.appOwnerTenantId = ctx.tenantId;
    record.resourceOwnerTenantId = ctx.tenantId;
    record.azureResourceId = msi ? `/subscriptions/${recordGuid(ctx, 0x41)}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/func-${rng.hex(6)}` : '';
    record.mfaDetail = isUser && rng.chance(0.3) ? { authMethod: 'PhoneAppNotification', authDetail: null } : null;
  }
  record.authenticationAppDeviceDetails = null;
  record.status = {
    errorCode: failure ? failure.errorCode : 0,
    failureReason: failure ? failure.failureReason : 'Other.',
    additionalDetails: statusDetails,
  };
  const deviceDetail: Record<string, unknown> = {
    deviceId: isUser && rng.chance(0.6) ? recordGuid(ctx, 0x42) : '',
    displayName: isUser && rng.chance(0.3) ? `LAPTOP-${rng.hex(6).toUpperCase()}` : '',
    operatingSystem: isUser ? operatingSystems[rng.int(operatingSystems.length)] : '',
    browser: isUser ? browsers[rng.int(browsers.length)] : '',
    isCompliant: rng.chance(0.5),
    isManaged: rng.chance(0.5),
    trustType: rng.chance(0.5) ? 'Azure AD joined' : '',
  };
  if (beta) deviceDetail.browserId = '';
  record.deviceDetail = deviceDetail;
  record.location = msi
    ? { city: null, state: null, countryOrRegion: null, geoCoordinates: null }
    : { city: loc.city, state: loc.state, countryOrRegion: loc.countryOrRegion, geoCoordinates: { altitude: null, latitude: loc.latitude, longitude: loc.longitude } };
  record.appliedConditionalAccessPolicies = isUser ? appliedPolicies(rng, beta) : [];
  if (!beta) return record;

  record.authenticationContextClassReferences = [];
  record.authenticationProcessingDetails = isUser
    ? [{ key: 'Root Key Type', value: 'Unknown' }, { key: 'Oauth Scope Info', value: '["openid","profile","User.Read"]' }]
    : [];
  record.networkLocationDetails = rng.chance(0.3) ? [{ networkType: 'trustedNamedLocation', networkNames: ['HQ, Building "A"'] }] : [];
  record.authenticationDetails = isUser ? authenticationDetails(ctx, rng, !failure) : [];
  record.authenticationRequirementPolicies = [];
  record.sessionLifetimePolicies = [];
  record.privateLinkDetails = { policyId: '', policyName: '', resourceId: '', policyTenantId: '' };
  record.appliedEventListeners = [];
  record.authenticationAppPolicyEvaluationDetails = [];
  record.managedServiceIdentity = msi
    ? {
        msiType: rng.chance(0.6) ? 'systemAssigned' : 'userAssigned',
        associatedResourceId: record.azureResourceId,
        federatedTokenId: null,
        federatedTokenIssuer: null,
      }
    : { msiType: 'none', associatedResourceId: null, federatedTokenId: null, federatedTokenIssuer: null };
  record.tokenProtectionStatusDetails = { signInSessionStatus: rng.pick(['none', 'bound', 'unbound']), signInSessionStatusCode: 0 };
  record.conditionalAccessAudiences = [];
  record.agent = { agentType: 'notAgentic', agentSubjectType: 'notAgentic', agentSubjectParentId: null, parentAppId: null };
  return record;
}
