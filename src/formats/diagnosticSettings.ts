/**
 * The record layout Entra diagnostic settings write to a storage account (`insights-logs-<category>/…/PT1H.json`):
 * one Azure Monitor envelope per line (`time`, `resourceId`, `operationName`, `category`, …) with the activity in
 * `properties`, so tools built for those files (SOF-ELK's Azure pipeline, the Elastic Azure integration, scripts
 * written against `insights-logs-*`) read an export unchanged. Which envelope field comes from where, and which
 * parts are observed in published exports and which are inferred, is in docs/formats.md.
 *
 * `properties` is the Graph record as Graph returned it (lossless, like the JSONL archive). The diagnostic export's
 * own `properties` are the same activity with small differences of serialisation (docs/formats.md).
 */
import type { DiagnosticCategory, StreamDefinition } from '../streams/catalog';
import { formatInstant, tryParseInstant } from '../time/instant';
import type { BatchRows, FileEncoder, GraphRecord, RecordBatch, TextSink } from './types';

type Json = Record<string, unknown>;

const RESOURCE_PROVIDER = 'Microsoft.aadiam';
/** Azure Monitor's level of every Entra activity record: 4, Informational. */
const INFORMATIONAL = 4;

const objectAt = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const textAt = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Azure Monitor writes `time` as UTC with seven fraction digits (`2022-01-24T05:10:14.1875602Z`). */
function monitorTime(value: unknown): string | undefined {
  const ticks = tryParseInstant(value);
  if (ticks !== undefined) return formatInstant(ticks, 7);
  return textAt(value);
}

interface EnvelopeParts {
  operationName?: string;
  resultType?: string;
  resultSignature?: string;
  resultDescription?: string;
  durationMs: number;
  callerIpAddress?: string;
  correlationId?: string;
  identity?: string;
  location?: string;
}

function signInParts(record: GraphRecord): EnvelopeParts {
  const status = objectAt(record.status);
  const errorCode = status?.errorCode;
  const failed = typeof errorCode === 'number' && errorCode !== 0;
  return {
    operationName: 'Sign-in activity',
    resultType: typeof errorCode === 'number' || typeof errorCode === 'string' ? String(errorCode) : undefined,
    resultSignature: 'None',
    resultDescription: failed ? textAt(status?.failureReason) : undefined,
    durationMs: 0,
    callerIpAddress: textAt(record.ipAddress),
    correlationId: textAt(record.correlationId),
    identity: textAt(record.userDisplayName),
    location: textAt(objectAt(record.location)?.countryOrRegion),
  };
}

function auditParts(record: GraphRecord): EnvelopeParts {
  const initiatedBy = objectAt(record.initiatedBy);
  const user = objectAt(initiatedBy?.user);
  const app = objectAt(initiatedBy?.app);
  return {
    operationName: textAt(record.activityDisplayName),
    resultSignature: 'None',
    resultDescription: textAt(record.resultReason),
    durationMs: 0,
    callerIpAddress: textAt(user?.ipAddress),
    correlationId: textAt(record.correlationId),
    identity: user ? (textAt(user.displayName) ?? textAt(user.userPrincipalName)) : textAt(app?.displayName),
  };
}

function provisioningParts(record: GraphRecord): EnvelopeParts {
  const status = textAt(objectAt(record.provisioningStatusInfo)?.status);
  const duration = record.durationInMilliseconds;
  return {
    operationName: 'Provisioning activity',
    resultType: status ? status.charAt(0).toUpperCase() + status.slice(1) : undefined,
    durationMs: typeof duration === 'number' ? duration : 0,
    correlationId: textAt(record.changeId),
    identity: textAt(record.id),
  };
}

function partsFor(category: DiagnosticCategory, record: GraphRecord): EnvelopeParts {
  if (category === 'AuditLogs') return auditParts(record);
  if (category === 'ProvisioningLogs') return provisioningParts(record);
  return signInParts(record);
}

/** The envelope of one record's diagnostic-settings record, without `properties` (the record), which comes last. */
function envelopeOf(stream: StreamDefinition, record: GraphRecord, tenantId: string): Json {
  const category = stream.diagnosticCategory;
  const parts = partsFor(category, record);
  // Azure Monitor leaves out what a record does not have; JSON.stringify drops the undefined fields.
  return {
    time: monitorTime(record[stream.timeProperty]),
    resourceId: `/tenants/${tenantId}/providers/${RESOURCE_PROVIDER}`,
    operationName: parts.operationName,
    operationVersion: '1.0',
    category,
    tenantId,
    resultType: parts.resultType,
    resultSignature: parts.resultSignature,
    resultDescription: parts.resultDescription,
    durationMs: parts.durationMs,
    callerIpAddress: parts.callerIpAddress,
    correlationId: parts.correlationId,
    identity: parts.identity,
    Level: INFORMATIONAL,
    location: parts.location,
  };
}

/** One Graph record as the diagnostic-settings record of its category, fields in the order Azure Monitor writes them. */
export function diagnosticSettingsRecord(stream: StreamDefinition, record: GraphRecord, tenantId: string): Json {
  return { ...envelopeOf(stream, record, tenantId), properties: record };
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The diagnostic-settings file of one stream: JSON Lines (one envelope per line, `\n`), named `.json` like the
 * `PT1H.json` blobs so file-pattern inputs such as SOF-ELK's (`*.json`, `*.json.gz`) pick it up.
 */
export function createDiagnosticSettingsEncoder(key: string, stream: StreamDefinition, tenantId: string | undefined): FileEncoder {
  if (!tenantId || !TENANT_ID.test(tenantId)) {
    throw new Error(
      `The diagnostic-settings format (diag) names the tenant in every record's resourceId and tenantId, and the tenant id is ${tenantId ? `not a GUID: ${JSON.stringify(tenantId)}` : 'unknown'}; set AZURE_TENANT_ID to the tenant's id`,
    );
  }
  return {
    key,
    format: 'diag',
    contentType: 'application/x-ndjson',
    extension: 'json',
    blobSuffix: 'diag',
    portalPrefix: `${stream.portalPrefix}_DiagnosticSettings`,
    header: () => Buffer.alloc(0),
    encode(batch: RecordBatch, _position, out: TextSink): BatchRows {
      // Byte for byte JSON.stringify(diagnosticSettingsRecord(...)): the envelope, then the record's JSON as the
      // batch already holds it (properties is the last field), so the record is not stringified again.
      const { records, lines, lineStarts } = batch;
      for (let i = 0; i < records.length; i++) {
        const envelope = JSON.stringify(envelopeOf(stream, records[i], tenantId));
        out.write(`${envelope.slice(0, -1)},"properties":`);
        out.writeBytes(lines.subarray(lineStarts[i], lineStarts[i + 1] - 1));
        out.write('}\n');
      }
      return { rows: records.length };
    },
    footer: () => Buffer.alloc(0),
  };
}
