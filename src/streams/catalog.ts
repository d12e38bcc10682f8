/**
 * The stream catalog: every kind of Entra activity record this product exports, described in exactly one place.
 * To add or change a stream (Graph path, filter, window, lag, file names), edit its entry here.
 * Facts behind each entry: docs/architecture.md and the Graph reporting API notes.
 */

export const STREAM_IDS = [
  'audit',
  'interactiveSignIns',
  'nonInteractiveSignIns',
  'servicePrincipalSignIns',
  'managedIdentitySignIns',
  'provisioning',
] as const;

export type StreamId = (typeof STREAM_IDS)[number];

/** `ge-le`: inclusive bounds (signIns, directoryAudits). `gt-lt`: exclusive bounds only (provisioning). */
export type TimeFilterOperators = 'ge-le' | 'gt-lt';

/** The CSV layouts of the admin center; each names one file of a stream's CSV output. */
export type CsvLayoutId =
  | 'audit'
  | 'userSignIns'
  | 'userSignInAuthDetails'
  | 'applicationSignIns'
  | 'managedIdentitySignIns'
  | 'provisioning'
  | 'provisioningSteps'
  | 'provisioningModifiedProperties';

/** The diagnostic-settings log categories of the exported streams (`Microsoft.AADIAM/diagnosticSettings`). */
export type DiagnosticCategory =
  | 'AuditLogs'
  | 'SignInLogs'
  | 'NonInteractiveUserSignInLogs'
  | 'ServicePrincipalSignInLogs'
  | 'ManagedIdentitySignInLogs'
  | 'ProvisioningLogs';

export interface CsvFileSpec {
  layout: CsvLayoutId;
  /** Portal-style file name prefix, e.g. `InteractiveSignIns_AuthDetails`. */
  portalPrefix: string;
  /** Suffix in our blob names, e.g. `authdetails` gives `…_authdetails.csv`. Empty for the main file. */
  blobSuffix: string;
}

export interface StreamDefinition {
  id: StreamId;
  /** Human name used in messages and docs. */
  title: string;
  graphVersion: 'v1.0' | 'beta';
  /** Path under the version, e.g. `/auditLogs/directoryAudits`. */
  graphPath: string;
  /** The record's time property, used for windows and ordering. */
  timeProperty: 'activityDateTime' | 'createdDateTime';
  timeOperators: TimeFilterOperators;
  /** `signInEventTypes` value that selects this stream on beta signIns. */
  signInEventType?: 'interactiveUser' | 'nonInteractiveUser' | 'servicePrincipal' | 'managedIdentity';
  /** Property that identifies a record; de-duplication key. */
  idProperty: 'id';
  /** Secondary identifier shown for support (provisioning changeId). */
  supportIdProperty?: string;
  defaultWindowMinutes: number;
  defaultLagMinutes: number;
  /** Enabled when the deployment does not say otherwise. */
  enabledByDefault: boolean;
  /** Prefix of the admin center's download file name, e.g. `AuditLogs`. */
  portalPrefix: string;
  /** Category of the stream's records in Entra diagnostic settings (`insights-logs-<category lower-case>`). */
  diagnosticCategory: DiagnosticCategory;
  /** CSV files written for this stream, main file first. */
  csvFiles: CsvFileSpec[];
  /** Licence Graph requires for this stream through the API (for the TenantNotLicensed message). */
  licenceNote: string;
}

/**
 * Default lags: Microsoft's documented worst latency for the data plus a 30-minute margin (reference:
 * graph-reporting-api.md §7; docs/configuration.md says which figure each rests on). Records later still are caught
 * by the re-check pass (src/export/rechecks.ts).
 * - Audit: the published P99 is 5 minutes; 5 + 25 rounded to 30.
 * - Sign-ins: "up to two hours for some sign-in records", and MFA details aggregate over up to two hours: 120 + 30.
 * - Provisioning: no figure; events come per 40-minute cycle and a failed export is retried 40 minutes later, so up
 *   to two cycles (80 minutes): 80 + 30, rounded to 120.
 */
const AUDIT_LAG_MINUTES = 30;
const SIGN_IN_LAG_MINUTES = 150;
const PROVISIONING_LAG_MINUTES = 120;

const premium = 'Microsoft Entra ID P1 or P2 (Graph returns sign-in and provisioning logs only to premium tenants)';

export const STREAMS: Readonly<Record<StreamId, StreamDefinition>> = {
  audit: {
    id: 'audit',
    title: 'Audit logs',
    graphVersion: 'v1.0',
    graphPath: '/auditLogs/directoryAudits',
    timeProperty: 'activityDateTime',
    timeOperators: 'ge-le',
    idProperty: 'id',
    defaultWindowMinutes: 60,
    defaultLagMinutes: AUDIT_LAG_MINUTES,
    enabledByDefault: true,
    portalPrefix: 'AuditLogs',
    diagnosticCategory: 'AuditLogs',
    csvFiles: [{ layout: 'audit', portalPrefix: 'AuditLogs', blobSuffix: '' }],
    licenceNote: 'any Microsoft Entra ID edition (Free keeps 7 days, P1/P2 keep 30 days)',
  },
  interactiveSignIns: {
    id: 'interactiveSignIns',
    title: 'Interactive user sign-ins',
    graphVersion: 'beta',
    graphPath: '/auditLogs/signIns',
    timeProperty: 'createdDateTime',
    timeOperators: 'ge-le',
    signInEventType: 'interactiveUser',
    idProperty: 'id',
    defaultWindowMinutes: 60,
    defaultLagMinutes: SIGN_IN_LAG_MINUTES,
    enabledByDefault: true,
    portalPrefix: 'InteractiveSignIns',
    diagnosticCategory: 'SignInLogs',
    csvFiles: [
      { layout: 'userSignIns', portalPrefix: 'InteractiveSignIns', blobSuffix: '' },
      { layout: 'userSignInAuthDetails', portalPrefix: 'InteractiveSignIns_AuthDetails', blobSuffix: 'authdetails' },
    ],
    licenceNote: premium,
  },
  nonInteractiveSignIns: {
    id: 'nonInteractiveSignIns',
    title: 'Non-interactive user sign-ins',
    graphVersion: 'beta',
    graphPath: '/auditLogs/signIns',
    timeProperty: 'createdDateTime',
    timeOperators: 'ge-le',
    signInEventType: 'nonInteractiveUser',
    idProperty: 'id',
    defaultWindowMinutes: 15,
    defaultLagMinutes: SIGN_IN_LAG_MINUTES,
    enabledByDefault: true,
    portalPrefix: 'NonInteractiveSignIns',
    diagnosticCategory: 'NonInteractiveUserSignInLogs',
    csvFiles: [
      { layout: 'userSignIns', portalPrefix: 'NonInteractiveSignIns', blobSuffix: '' },
      { layout: 'userSignInAuthDetails', portalPrefix: 'NonInteractiveSignIns_AuthDetails', blobSuffix: 'authdetails' },
    ],
    licenceNote: premium,
  },
  servicePrincipalSignIns: {
    id: 'servicePrincipalSignIns',
    title: 'Service principal sign-ins',
    graphVersion: 'beta',
    graphPath: '/auditLogs/signIns',
    timeProperty: 'createdDateTime',
    timeOperators: 'ge-le',
    signInEventType: 'servicePrincipal',
    idProperty: 'id',
    defaultWindowMinutes: 60,
    defaultLagMinutes: SIGN_IN_LAG_MINUTES,
    enabledByDefault: true,
    portalPrefix: 'ApplicationSignIns',
    diagnosticCategory: 'ServicePrincipalSignInLogs',
    csvFiles: [{ layout: 'applicationSignIns', portalPrefix: 'ApplicationSignIns', blobSuffix: '' }],
    licenceNote: premium,
  },
  managedIdentitySignIns: {
    id: 'managedIdentitySignIns',
    title: 'Managed identity sign-ins',
    graphVersion: 'beta',
    graphPath: '/auditLogs/signIns',
    timeProperty: 'createdDateTime',
    timeOperators: 'ge-le',
    signInEventType: 'managedIdentity',
    idProperty: 'id',
    defaultWindowMinutes: 60,
    defaultLagMinutes: SIGN_IN_LAG_MINUTES,
    enabledByDefault: true,
    portalPrefix: 'MSISignIns',
    diagnosticCategory: 'ManagedIdentitySignInLogs',
    csvFiles: [{ layout: 'managedIdentitySignIns', portalPrefix: 'MSISignIns', blobSuffix: '' }],
    licenceNote: premium,
  },
  provisioning: {
    id: 'provisioning',
    title: 'Provisioning logs',
    graphVersion: 'v1.0',
    graphPath: '/auditLogs/provisioning',
    timeProperty: 'activityDateTime',
    timeOperators: 'gt-lt',
    idProperty: 'id',
    supportIdProperty: 'changeId',
    defaultWindowMinutes: 60,
    defaultLagMinutes: PROVISIONING_LAG_MINUTES,
    enabledByDefault: true,
    portalPrefix: 'ProvisioningLogs',
    diagnosticCategory: 'ProvisioningLogs',
    csvFiles: [
      { layout: 'provisioning', portalPrefix: 'ProvisioningLogs', blobSuffix: '' },
      { layout: 'provisioningSteps', portalPrefix: 'ProvisioningLogs_ProvisioningSteps', blobSuffix: 'steps' },
      {
        layout: 'provisioningModifiedProperties',
        portalPrefix: 'ProvisioningLogs_ModifiedProperties',
        blobSuffix: 'modifiedproperties',
      },
    ],
    licenceNote: premium,
  },
};

export function isStreamId(value: string): value is StreamId {
  return (STREAM_IDS as readonly string[]).includes(value);
}

export function streamDefinition(id: StreamId): StreamDefinition {
  return STREAMS[id];
}
