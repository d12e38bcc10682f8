/**
 * directoryAudit records (reference §8, Appendix A/B): initiated by a user or an app, target resources
 * whose modifiedProperties carry JSON inside strings, additionalDetails, ids like `Directory_<guid>_<suffix>`.
 * Beta adds userAgent, performedBy, the user's home tenant and linkableIdentifiers.
 */
import { apps, auditActivities, hardPeople, hardTexts, modifiedPropertyNames, people, type Person } from '../pools';
import type { Rng } from '../random';
import { contentRng, derivedTime, entryTime, recordGuid, type RecordContext } from './context';

const SUFFIX_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

function suffix(rng: Rng): string {
  let s = '';
  for (let k = 0; k < 5; k++) s += SUFFIX_CHARS[rng.int(SUFFIX_CHARS.length)];
  return `${s}_${10_000_000 + rng.int(89_999_999)}`;
}

/** modifiedProperties values are JSON inside strings (`["Sales"]`); precomputed once per pool value. */
const JSON_SALES = JSON.stringify(['Sales']);
const JSON_SECURITY = JSON.stringify(['Security']);
const JSON_HARD = hardTexts.map((text) => JSON.stringify([text]));

function modifiedProperties(rng: Rng, many: boolean): Record<string, unknown>[] {
  const count = many ? 6 + rng.int(4) : rng.int(3);
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const name = modifiedPropertyNames[(k + rng.int(3)) % modifiedPropertyNames.length];
    const hard = rng.chance(0.1);
    out.push({
      displayName: name,
      oldValue: rng.chance(0.2) ? null : hard ? JSON_HARD[rng.int(JSON_HARD.length)] : JSON_SALES,
      newValue: hard ? JSON_HARD[rng.int(JSON_HARD.length)] : JSON_SECURITY,
    });
  }
  if (count > 0) out.push({ displayName: 'Included Updated Properties', oldValue: null, newValue: `"${out.map((p) => p.displayName).join(', ')}"` });
  return out;
}

function target(rng: Rng, type: string, many: boolean, person: Person): Record<string, unknown> {
  const isUser = type === 'User';
  return {
    id: person.id,
    displayName: isUser ? null : rng.chance(0.2) ? hardTexts[rng.int(hardTexts.length)] : `${type} ${rng.hex(4)}`,
    type,
    userPrincipalName: isUser ? person.upn : null,
    groupType: type === 'Group' ? rng.pick(['unifiedGroups', 'azureAD']) : null,
    modifiedProperties: modifiedProperties(rng, many),
  };
}

/** The id `buildDirectoryAudit` gives this entry, without building the record (same draws, same order). */
export function directoryAuditId(ctx: RecordContext): string {
  const rng = contentRng(ctx, 0xa0d);
  rng.int(auditActivities.length);
  return `Directory_${recordGuid(ctx, 0xc0)}_${suffix(rng)}`;
}

/** Builds one audit event; `ctx.entry.v === 1` is a republished version with a changed resultReason and details. */
export function buildDirectoryAudit(ctx: RecordContext): Record<string, unknown> {
  const rng = contentRng(ctx, 0xa0d);
  const beta = ctx.version === 'beta';
  const activity = auditActivities[rng.int(auditActivities.length)];
  const correlationId = recordGuid(ctx, 0xc0);
  const idSuffix = suffix(rng);
  const wide = rng.chance(0.04);
  const byApp = rng.chance(0.35);
  const actor = rng.chance(0.06) ? hardPeople[rng.int(hardPeople.length)] : people[rng.int(people.length)];
  const app = apps[rng.int(apps.length)];
  const failed = rng.chance(0.05);
  const republished = ctx.entry.v === 1;

  const user: Record<string, unknown> | null = byApp
    ? null
    : { id: actor.id, displayName: actor.displayName, userPrincipalName: actor.upn, ipAddress: rng.chance(0.3) ? '' : `198.51.100.${rng.int(255)}`, userType: null };
  if (user && beta) {
    user.homeTenantId = ctx.tenantId;
    user.homeTenantName = null;
  }
  const appIdentity = byApp
    ? { appId: rng.chance(0.5) ? null : app.appId, displayName: app.displayName, servicePrincipalId: app.servicePrincipalId, servicePrincipalName: null }
    : null;
  const initiatedBy: Record<string, unknown> = { user, app: appIdentity };
  if (beta) {
    initiatedBy.linkableIdentifiers = byApp
      ? null
      : { deviceId: null, sessionId: recordGuid(ctx, 0x51), tokenDetails: { issuedAtDateTime: derivedTime(ctx, -600_000), uniqueTokenIdentifier: rng.hex(22) } };
  }

  const targetCount = wide ? 4 + rng.int(3) : 1 + rng.int(2);
  const targets: Record<string, unknown>[] = [];
  for (let k = 0; k < targetCount; k++) {
    const person = rng.chance(0.06) ? hardPeople[rng.int(hardPeople.length)] : people[rng.int(people.length)];
    targets.push(target(rng, k === 0 ? activity.targetType : rng.pick(['User', 'Group', 'Other']), wide || rng.chance(0.05), person));
  }

  const detailCount = wide ? 7 + rng.int(4) : rng.int(3);
  const additionalDetails: Record<string, unknown>[] = [];
  for (let k = 0; k < detailCount; k++) {
    additionalDetails.push({ key: rng.pick(['UserType', 'User-Agent', 'AppId', 'MethodsUsed', 'Notes', 'oid']), value: rng.chance(0.25) ? hardTexts[rng.int(hardTexts.length)] : `value-${rng.hex(6)}` });
  }
  if (republished) additionalDetails.push({ key: 'RepublishReason', value: 'Late enrichment' });

  const record: Record<string, unknown> = {
    id: `Directory_${correlationId}_${idSuffix}`,
    category: activity.category,
    correlationId,
    result: failed ? 'failure' : 'success',
    resultReason: republished ? 'Updated after enrichment' : failed ? 'Microsoft.Online.Workflows.ObjectNotFoundException' : '',
    activityDisplayName: activity.activityDisplayName,
    activityDateTime: entryTime(ctx),
    loggedByService: activity.loggedByService,
    operationType: activity.operationType,
    initiatedBy,
  };
  if (beta) {
    record.userAgent = byApp ? '' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
    record.performedBy = byApp ? { appId: app.appId, blueprintId: null, identityType: 'servicePrincipal' } : null;
  }
  record.targetResources = targets;
  record.additionalDetails = additionalDetails;
  return record;
}
