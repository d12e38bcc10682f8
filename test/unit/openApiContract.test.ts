/**
 * The contract test/support/openApi.ts holds real responses to checks the description's string formats too
 * (Ajv alone ignores `format`): an instant that is not one, or a redirect to a relative or malformed link, is a problem.
 */
import { FORMATS, OpenApiContract } from '../support/openApi';

const STREAMS = ['audit', 'interactiveSignIns', 'nonInteractiveSignIns', 'servicePrincipalSignIns', 'managedIdentitySignIns', 'provisioning'];

function streamsBody(exportedThrough: string | null) {
  return {
    streams: STREAMS.map((stream) => ({
      stream, title: stream, enabled: true, paused: null, exportedThrough, lagMinutes: 10, expectedLagMinutes: 90,
      queued: 0, running: 0, failed: 0, lostToRetention: 0, lateRecordsFound: 0, lastSuccessAt: null,
    })),
    generatedAt: '2026-11-28T12:00:00.123Z',
  };
}

describe('OpenAPI contract formats', () => {
  let contract: OpenApiContract;
  beforeAll(async () => {
    contract = await OpenApiContract.load();
  });

  it('date-time: RFC 3339 instants that exist', () => {
    const valid = FORMATS['date-time']!;
    for (const ok of ['2026-11-28T06:00:00Z', '2026-11-28T06:00:00.1234567Z', '2026-11-28T06:00:00+01:00', '2024-02-29T23:59:59-12:00']) expect([ok, valid(ok)]).toEqual([ok, true]);
    for (const bad of ['2026-11-28', '2026-11-28T06:00:00', '2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-11-28T24:00:00Z', '2026-11-28T06:60:00Z', '2026-11-28T06:00:00+25:00', 'yesterday', ' 2026-11-28T06:00:00Z']) {
      expect([bad, valid(bad)]).toEqual([bad, false]);
    }
  });

  it('uri: absolute only', () => {
    const valid = FORMATS.uri!;
    expect([valid('https://acct.blob.core.windows.net/exports/a.csv?sv=1&sig=x'), valid('/api/exports/x'), valid('not a link')]).toEqual([true, false, false]);
  });

  it('flags a response whose instants are not instants, and passes one whose are', () => {
    const response = (body: unknown) => ({ method: 'GET', url: '/api/streams', status: 200, headers: { 'content-type': 'application/json' }, body });
    expect(contract.problems(response(streamsBody('2026-11-28T09:00:00Z')))).toEqual([]);
    expect(contract.problems(response(streamsBody(null)))).toEqual([]);
    expect(contract.problems(response(streamsBody('2026-11-28 09:00')))).not.toEqual([]);
  });

  it('flags a download redirect to a relative link', () => {
    const redirect = (location: string) => ({ method: 'GET', url: '/api/exports/audit-20261127T1000Z/files/csv', status: 302, headers: { location } });
    expect(contract.problems(redirect('https://acct.blob.core.windows.net/exports/a.csv?sig=x'))).toEqual([]);
    expect(contract.problems(redirect('/exports/a.csv'))).not.toEqual([]);
  });
});
