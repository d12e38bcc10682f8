/**
 * provisioningObjectSummary records (reference §8): provisioningSteps with free-form details maps,
 * modifiedProperties, provisioningStatusInfo with errorInformation, change/cycle/job ids, source and
 * target identity and system. Beta adds the deprecated `action` and `statusInfo`.
 */
import { hardPeople, hardTexts, people, provisioningTargets } from '../pools';
import { contentRng, entryTime, recordGuid, type RecordContext } from './context';

const actions = ['create', 'update', 'update', 'update', 'delete', 'disable', 'other', 'stagedDelete'] as const;

function step(name: string, type: string, status: string, description: string, details: Record<string, string>): Record<string, unknown> {
  return { name, provisioningStepType: type, status, description, details };
}

export function buildProvisioning(ctx: RecordContext): Record<string, unknown> {
  const rng = contentRng(ctx, 0x9f0);
  const beta = ctx.version === 'beta';
  const person = rng.chance(0.06) ? hardPeople[rng.int(hardPeople.length)] : people[rng.int(people.length)];
  const targetName = provisioningTargets[rng.int(provisioningTargets.length)];
  const action = actions[rng.int(actions.length)];
  const outcome = rng.next();
  const status = outcome < 0.8 ? 'success' : outcome < 0.9 ? 'skipped' : outcome < 0.97 ? 'failure' : 'warning';
  const jobIndex = rng.int(3);
  const jobId = `${targetName.replace(/[^A-Za-z]/g, '').toLowerCase()}.${['a1b2c3', 'd4e5f6', '0a9b8c'][jobIndex]}${'0123456789abcdef'.repeat(2).slice(0, 26)}.${ctx.tenantId}`;
  const cycleId = recordGuid(ctx, 0xc1c);
  const hardValue = rng.chance(0.1) ? hardTexts[rng.int(hardTexts.length)] : undefined;
  const targetId = status === 'failure' || action === 'create' ? '' : recordGuid(ctx, 0x7a);

  const steps = [
    step('EntryImport', 'import', 'success', `Received User '${person.upn}' change of type (${action}) from Azure Active Directory`, {
      ReportableIdentifier: person.upn,
    }),
    step('EntrySynchronizationScoping', 'scoping', status === 'skipped' ? 'skipped' : 'success', 'Determine if User in scope by evaluating against each scoping filter', {
      'Active in the source system': 'True',
      'Assigned to the application': 'True',
      'User has the required role': status === 'skipped' ? 'False' : 'True',
    }),
    step('EntryExportUpdate', 'export', status === 'failure' ? 'failure' : 'success', `${action} User '${person.displayName}' in ${targetName}`, {
      ReportableIdentifier: person.upn,
      SkuId: rng.hex(8),
      ...(hardValue !== undefined ? { Notes: hardValue } : {}),
    }),
  ];
  const modifiedProperties: Array<{ displayName: string; oldValue: string | null; newValue: string }> = [
    { displayName: 'accountEnabled', oldValue: null, newValue: 'True' },
    { displayName: 'displayName', oldValue: null, newValue: person.displayName },
    { displayName: 'userPrincipalName', oldValue: null, newValue: person.upn },
  ];
  if (hardValue !== undefined) modifiedProperties.push({ displayName: 'department', oldValue: 'Sales', newValue: hardValue });

  const errorInformation = status === 'failure' || status === 'warning'
    ? {
        errorCode: rng.pick(['SalesforceDuplicateUsername', 'ServiceNowUserNotFound', 'HybridIdentityServiceProvisioningFailure']),
        reason: `The user could not be ${action}d in ${targetName}, because "the target said no", try again.`,
        additionalDetails: null,
        errorCategory: status === 'failure' ? 'nonServiceFailure' : 'failure',
        recommendedAction: 'Check the attribute mappings and retry.\nSee the provisioning logs for details.',
      }
    : null;

  const record: Record<string, unknown> = {
    id: recordGuid(ctx, 0x1d),
    activityDateTime: entryTime(ctx),
    tenantId: ctx.tenantId,
    jobId,
    cycleId,
    changeId: recordGuid(ctx, 0xc4a),
    durationInMilliseconds: 50 + rng.int(5000),
    provisioningAction: action,
    initiatedBy: { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' },
    servicePrincipal: { id: recordGuid(ctx, 0x5e), displayName: targetName },
    sourceSystem: { id: '9b5d0b4e-1a5d-4f62-8e2b-7f6f3a7e5c10', displayName: 'Azure Active Directory', details: {} },
    targetSystem: { id: recordGuid(ctx, 0x7c), displayName: targetName, details: { ApplicationId: recordGuid(ctx, 0x7d), ServicePrincipalDisplayName: targetName } },
    sourceIdentity: { id: person.id, displayName: person.displayName, identityType: 'User', details: { UserPrincipalName: person.upn } },
    targetIdentity: { id: targetId, displayName: person.displayName, identityType: 'User', details: {} },
    provisioningStatusInfo: { status, errorInformation },
    provisioningSteps: steps,
    modifiedProperties,
  };
  if (beta) {
    record.action = action === 'create' ? 'Create' : action === 'delete' ? 'Delete' : 'Update';
    record.statusInfo = { '@odata.type': '#microsoft.graph.statusBase', status };
  }
  return record;
}
