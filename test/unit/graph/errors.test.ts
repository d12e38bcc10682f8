import { classifyGraphError, GraphRequestError, parseGraphErrorBody, type GraphRequestErrorInit } from '../../../src/graph/errors';
import { STREAMS } from '../../../src/streams/catalog';
import { parseInstant, TICKS_PER_MINUTE } from '../../../src/time/instant';

const now = parseInstant('2026-11-27T12:00:00Z');
const DAY = 24n * 60n * TICKS_PER_MINUTE;
const recentWindow = parseInstant('2026-11-27T09:00:00Z');

function graphError(init: Partial<GraphRequestErrorInit>): GraphRequestError {
  return new GraphRequestError({ status: 400, graphCode: 'BadRequest', graphMessage: '', url: 'https://graph.microsoft.com/beta/auditLogs/signIns', attempts: 1, ...init });
}

function classify(error: unknown, windowStart = recentWindow, stream = STREAMS.interactiveSignIns) {
  return classifyGraphError(error, { stream, windowStart, now, retentionDays: 30 });
}

describe('parseGraphErrorBody', () => {
  it('reads code, message and request id', () => {
    const body = JSON.stringify({ error: { code: 'Authentication_MSGraphPermissionMissing', message: 'Calling principal…', innerError: { 'request-id': 'rid', code: 'x' } } });
    expect(parseGraphErrorBody(body)).toEqual({ code: 'Authentication_MSGraphPermissionMissing', message: 'Calling principal…', requestId: 'rid' });
  });
  it('prefers a specific innerError code over a generic outer one, but not a numeric one', () => {
    expect(parseGraphErrorBody(JSON.stringify({ error: { code: 'BadRequest', message: 'm', innerError: { code: 'Request_InvalidSkipToken' } } })).code).toBe('Request_InvalidSkipToken');
    expect(parseGraphErrorBody(JSON.stringify({ error: { code: 'TooManyRequests', message: 'm', innerError: { code: '429' } } })).code).toBe('TooManyRequests');
  });
  it('tolerates bodies that are not Graph errors', () => {
    expect(parseGraphErrorBody('<html>502</html>')).toEqual({});
    expect(parseGraphErrorBody('')).toEqual({});
    expect(parseGraphErrorBody(null)).toEqual({});
    expect(parseGraphErrorBody('{"error":"text"}')).toEqual({ code: undefined, message: undefined, requestId: undefined });
  });
});

describe('classifyGraphError', () => {
  it('429 is Throttled and retryable', () => {
    expect(classify(graphError({ status: 429, graphCode: 'TooManyRequests' }))).toMatchObject({ code: 'Throttled', retryable: true });
  });

  it.each([
    [500, 'UnknownError'],
    [502, 'HTTP502'],
    [503, 'ServiceUnavailable'],
    [504, 'GatewayTimeout'],
    [0, 'NetworkError'],
    [0, 'Timeout'],
    [0, 'InvalidResponse'],
  ])('HTTP %i %s is GraphUnavailable and retryable', (status, graphCode) => {
    expect(classify(graphError({ status, graphCode }))).toMatchObject({ code: 'GraphUnavailable', retryable: true });
  });

  it('a rejected skip token is InvalidSkipToken, retryable from the cursor', () => {
    const result = classify(graphError({ graphCode: 'BadRequest', graphMessage: 'Invalid Skip Token' }));
    expect(result).toMatchObject({ code: 'InvalidSkipToken', retryable: true });
    expect(classify(graphError({ graphCode: 'Request_InvalidSkipToken', graphMessage: 'x' })).code).toBe('InvalidSkipToken');
  });

  it('Invalid filter clause on a window past retention is OutsideRetention, not retryable', () => {
    const old = now - 30n * DAY;
    const result = classify(graphError({ graphMessage: 'Invalid filter clause' }), old);
    expect(result).toMatchObject({ code: 'OutsideRetention', retryable: false });
    expect(result.message).toContain('30 days');
    expect(result.message).toContain('2026-10-28T12:00:00Z');
    // Within the margin of the edge counts as outside too; a day inside does not.
    expect(classify(graphError({ graphMessage: 'Invalid filter clause' }), now - 30n * DAY + 30n * TICKS_PER_MINUTE).code).toBe('OutsideRetention');
    expect(classify(graphError({ graphMessage: 'Invalid filter clause' }), now - 29n * DAY).code).toBe('GraphError');
  });

  it('Invalid filter clause on a recent window is a plain GraphError that keeps Graph code and hints at retention', () => {
    const result = classify(graphError({ graphMessage: 'Invalid filter clause', requestId: 'rid-1' }));
    expect(result).toMatchObject({ code: 'GraphError', retryable: false });
    expect(result.message).toContain('BadRequest');
    expect(result.message).toContain('rid-1');
    expect(result.message).toContain('ENTRA_RETENTION_DAYS');
  });

  it('other 400s are GraphError, not retryable', () => {
    const result = classify(graphError({ graphCode: 'BadRequest', graphMessage: "Query option 'Select' is not allowed." }));
    expect(result).toMatchObject({ code: 'GraphError', retryable: false });
    expect(result.message).toContain("Query option 'Select' is not allowed.");
  });

  it('a premium-licence 403 is TenantNotLicensed, retryable (Graph reports it spuriously), naming the licence', () => {
    const result = classify(graphError({ status: 403, graphCode: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', graphMessage: 'Neither tenant is B2C or tenant doesn\'t have premium license' }));
    expect(result).toMatchObject({ code: 'TenantNotLicensed', retryable: true });
    expect(result.message).toContain(STREAMS.interactiveSignIns.licenceNote);
    expect(result.message).toContain('interactiveSignIns');
  });

  it.each([
    [403, 'Authentication_MSGraphPermissionMissing'],
    [403, 'Authentication_ApplicationHasNoReadAuditLogDataAccess'],
    [401, 'InvalidAuthenticationToken'],
  ])('HTTP %i %s is PermissionMissing with the grant to make', (status, graphCode) => {
    const result = classify(graphError({ status, graphCode, graphMessage: 'no' }), recentWindow, STREAMS.provisioning);
    expect(result).toMatchObject({ code: 'PermissionMissing', retryable: false });
    expect(result.message).toContain('AuditLog.Read.All');
    expect(result.message).toContain('b0afded3-3588-46d8-8b3d-9842eff778da');
    expect(result.message).toContain('infra/scripts/grant-graph-permissions.sh');
    expect(result.message).toContain('provisioning');
    expect(result.message).toContain(graphCode);
  });

  it('other statuses are GraphError and keep Graph code in the message', () => {
    const result = classify(graphError({ status: 403, graphCode: 'Authorization_RequestDenied', graphMessage: 'Insufficient privileges' }));
    expect(result).toMatchObject({ code: 'GraphError', retryable: false });
    expect(result.message).toContain('Authorization_RequestDenied');
    expect(classify(graphError({ status: 404, graphCode: 'HTTP404' })).code).toBe('GraphError');
  });

  it('a missing token is a non-retryable GraphError pointing at the managed identity', () => {
    const result = classify(graphError({ status: 0, graphCode: 'CredentialUnavailable', graphMessage: 'no endpoint' }));
    expect(result).toMatchObject({ code: 'GraphError', retryable: false });
    expect(result.message).toContain('AZURE_CLIENT_ID');
  });

  it('errors that are not GraphRequestErrors are GraphError with their message', () => {
    expect(classify(new TypeError('boom'))).toMatchObject({ code: 'GraphError', retryable: false, message: expect.stringContaining('boom') });
  });
});
