/**
 * On-demand exports with filters, end to end below HTTP: POST /api/exports validated, the job run by the real worker
 * against the Graph simulator, and every exported file checked against the simulator's ground truth filtered by this
 * test's own reading of each filter (never by the product's filter code).
 */
import { AdhocExportDeps, startAdhocExport } from '../../src/api/adhocExportsApi';
import { ApiRequest, ApiResponse, handled } from '../../src/api/http';
import type { ExportJob } from '../../src/export/job';
import type { Manifest } from '../../src/export/manifest';
import { INTERRUPT_ERROR_CODES } from '../../src/formats/csv/displayValues';
import { checkWindow, downloadBlob, parseCsv, problemsOf } from '../support/exportVerifier';
import { Harness, startHarness } from '../support/exportHarness';

type GraphRecord = Record<string, unknown>;

const NOW = '2026-11-28T12:00:00Z';
const FROM = '2026-11-28T06:00:00Z';
const TO = '2026-11-28T09:30:00Z';

function post(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, query = ''): ApiRequest {
  const url = new URL(`http://localhost:7071/api/exports${query}`);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
  return {
    method: 'POST',
    url: url.toString(),
    query: url.searchParams,
    params: {},
    header: (name) => headers[name.toLowerCase()] ?? null,
    body: async () => bytes,
  };
}

const at = (record: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), record);
const lower = (value: unknown): string | undefined => (typeof value === 'string' ? value.toLowerCase() : undefined);

describe('on-demand exports with filters', () => {
  let h: Harness;
  let deps: AdhocExportDeps;

  beforeAll(async () => {
    h = await startHarness({
      nowIso: NOW,
      env: { GRAPH_PAGE_SIZE: '100', EXPORT_FORMATS: 'jsonl.gz,csv,json' },
      simulator: { volume: { audit: 300, interactiveSignIns: 500, servicePrincipalSignIns: 200, managedIdentitySignIns: 100, provisioning: 200 } },
    });
    deps = { jobs: h.runtime.jobs, defaultFormats: h.config.formats, retentionDays: h.config.retentionDays, auth: h.config.api, now: h.runtime.now };
  });
  afterAll(async () => h?.close());

  async function run(body: Record<string, unknown>): Promise<{ job: ExportJob; response: ApiResponse }> {
    const { response, messages } = await startAdhocExport(post(body), deps);
    expect(response.status).toBe(202);
    await h.drain(messages);
    const job = await h.runtime.jobs.get((response.jsonBody as { jobId: string }).jobId);
    return { job: job as ExportJob, response };
  }

  async function expectExactly(job: ExportJob, matching: (record: GraphRecord) => boolean): Promise<number> {
    const check = await checkWindow(job, h.runtime.container, h.sim, h.clock.now, matching);
    expect(problemsOf(check)).toEqual({ jobId: job.jobId });
    expect(job.status).toBe(check.expected === 0 ? 'empty' : 'succeeded');
    return check.expected;
  }

  it('failed interactive sign-ins over a few hours: exactly the failures of the range, the CSV Status column says Failure', async () => {
    const { job, response } = await run({ stream: 'interactiveSignIns', from: FROM, to: TO, filters: { status: 'failure' } });
    expect(response.jsonBody).toMatchObject({
      jobId: expect.stringMatching(/^adhoc-interactiveSignIns-20261128T0600Z-[a-z0-9]{12}$/),
      href: `/api/exports/${job.jobId}`,
      status: 'queued',
      window: { start: FROM, end: TO },
      filters: { status: 'failure' },
      filterPlan: { graphFilter: null, sentToGraph: [], appliedWhileWriting: ['status'] },
    });
    expect(response.headers?.Location).toBe(`/api/exports/${job.jobId}`);
    const failures = await expectExactly(job, (r) => {
      const code = at(r, 'status', 'errorCode') as number;
      return code !== 0 && !INTERRUPT_ERROR_CODES.has(code);
    });
    expect(failures).toBeGreaterThan(20);
    const all = h.sim.groundTruthIds({ stream: 'interactiveSignIns', start: FROM, end: TO }).length;
    expect(job.result?.counts.filteredOut).toBeGreaterThanOrEqual(all - failures);
    // The admin center's file names, for the range asked.
    const names = job.result?.files.map((f) => f.downloadName).sort();
    expect(names).toEqual([
      'InteractiveSignIns_2026-11-28T0600Z_2026-11-28T0930Z.csv',
      'InteractiveSignIns_2026-11-28T0600Z_2026-11-28T0930Z.json',
      'InteractiveSignIns_2026-11-28T0600Z_2026-11-28T0930Z.jsonl.gz',
      'InteractiveSignIns_AuthDetails_2026-11-28T0600Z_2026-11-28T0930Z.csv',
    ]);
    const csv = job.result?.files.find((f) => f.key === 'csv');
    const rows = parseCsv(await downloadBlob(h.runtime.container, csv!.blobName), false);
    const status = rows[0].indexOf('Status');
    expect(new Set(rows.slice(1).map((row) => row[status]))).toEqual(new Set(['Failure']));
    expect(csv!.blobName.startsWith(`adhoc/${job.jobId}/`)).toBe(true);
  });

  it('audit events of one category: exactly that category, the filter in the manifest', async () => {
    const { job } = await run({ stream: 'audit', from: FROM, to: TO, filters: { category: 'GroupManagement' }, formats: ['jsonl', 'csv'] });
    expect(await expectExactly(job, (r) => r.category === 'GroupManagement')).toBeGreaterThan(20);
    const manifest = JSON.parse((await downloadBlob(h.runtime.container, job.result!.manifestBlob)).toString('utf8')) as Manifest;
    expect(manifest).toMatchObject({ kind: 'adhoc', filters: { category: 'GroupManagement' }, filter: null, formats: ['jsonl', 'csv'] });
  });

  it('filters Graph selects reach its $filter and still hold exactly the matching records', async () => {
    const sample = [...h.sim.expectedRecords({ stream: 'interactiveSignIns', start: FROM, end: TO })].find((r) => /^[a-z]+\d+@/.test(String(r.userPrincipalName))) as GraphRecord;
    const upn = String(sample.userPrincipalName);
    const { job, response } = await run({ stream: 'interactiveSignIns', from: FROM, to: TO, filters: { user: upn.toUpperCase(), status: 'success' } });
    expect(response.jsonBody).toMatchObject({ filterPlan: { graphFilter: `userPrincipalName eq '${upn.toUpperCase()}' and status/errorCode eq 0`, appliedWhileWriting: [] } });
    expect(await expectExactly(job, (r) => lower(r.userPrincipalName) === upn && at(r, 'status', 'errorCode') === 0)).toBeGreaterThan(0);
    const manifest = JSON.parse((await downloadBlob(h.runtime.container, job.result!.manifestBlob)).toString('utf8')) as Manifest;
    expect(decodeURIComponent(manifest.graph.url)).toContain(`(userPrincipalName eq '${upn.toUpperCase()}' and status/errorCode eq 0)`);
  });

  describe('each filter holds exactly the matching records', () => {
    /** Ids taken from the simulator's data, so the filters select something. */
    const ids = { app: '', target: '' };
    beforeAll(() => {
      ids.app = String([...h.sim.expectedRecords({ stream: 'servicePrincipalSignIns', start: FROM, end: TO })][0].appId);
      ids.target = String(([...h.sim.expectedRecords({ stream: 'audit', start: FROM, end: TO })][0].targetResources as GraphRecord[])[0].id);
    });
    const failed = (r: GraphRecord) => at(r, 'status', 'errorCode') !== 0 && !INTERRUPT_ERROR_CODES.has(at(r, 'status', 'errorCode') as number);

    it.each<[string, () => Record<string, unknown>, (r: GraphRecord) => boolean]>([
      ['sign-ins of an application by name prefix from an IP range', () => ({ stream: 'interactiveSignIns', filters: { application: 'micro*', ipAddress: '203.0.113.*' } }),
        (r) => !!lower(r.appDisplayName)?.startsWith('micro') && String(r.ipAddress).startsWith('203.0.113.')],
      ['interrupted sign-ins', () => ({ stream: 'interactiveSignIns', filters: { status: 'Interrupted' } }), (r) => INTERRUPT_ERROR_CODES.has(at(r, 'status', 'errorCode') as number)],
      ['service principal sign-ins of one app id', () => ({ stream: 'servicePrincipalSignIns', filters: { application: ids.app.toUpperCase() } }), (r) => r.appId === ids.app],
      ['managed identity sign-ins that failed', () => ({ stream: 'managedIdentitySignIns', filters: { status: 'failure' } }), failed],
      ['audit events by an actor of either kind', () => ({ stream: 'audit', filters: { initiatedBy: 'azure*' } }),
        (r) => [at(r, 'initiatedBy', 'user', 'userPrincipalName'), at(r, 'initiatedBy', 'user', 'displayName'), at(r, 'initiatedBy', 'app', 'displayName')].some((v) => !!lower(v)?.startsWith('azure'))],
      ['audit events of one activity (Graph) and service', () => ({ stream: 'audit', filters: { activity: 'Update user', service: 'core directory' } }),
        (r) => r.activityDisplayName === 'Update user' && r.loggedByService === 'Core Directory'],
      ['failed audit events', () => ({ stream: 'audit', filters: { status: 'failure' } }), (r) => r.result === 'failure'],
      ['audit events touching one target id (Graph lambda)', () => ({ stream: 'audit', filters: { target: ids.target } }),
        (r) => (r.targetResources as GraphRecord[]).some((t) => t.id === ids.target)],
      ['audit events on a target by user principal name prefix', () => ({ stream: 'audit', filters: { target: 'adele*' } }),
        (r) => (r.targetResources as GraphRecord[]).some((t) => [t.displayName, t.userPrincipalName].some((v) => !!lower(v)?.startsWith('adele')))],
      ['failed provisioning creates', () => ({ stream: 'provisioning', filters: { status: 'failure', action: 'CREATE' } }),
        (r) => at(r, 'provisioningStatusInfo', 'status') === 'failure' && r.provisioningAction === 'create'],
      ['provisioning of one identity by name', () => ({ stream: 'provisioning', filters: { identity: 'adele vance' } }),
        (r) => ['sourceIdentity', 'targetIdentity'].some((side) => lower(at(r, side, 'displayName')) === 'adele vance')],
    ])('%s', async (_name, body, matching) => {
      const { job } = await run({ ...body(), from: FROM, to: TO });
      expect(await expectExactly(job, matching)).toBeGreaterThan(0);
    });

    it('a quote in a value cannot widen the query: nothing matches, the job ends empty', async () => {
      const { job } = await run({ stream: 'interactiveSignIns', from: FROM, to: TO, filters: { user: "x' or userPrincipalName ne 'y" } });
      expect(await expectExactly(job, () => false)).toBe(0);
      expect(job.status).toBe('empty');
    });
  });

  describe('bad requests: a 4xx JSON error naming the field, and no job created', () => {
    const valid = { stream: 'audit', from: FROM, to: TO };
    const json = { 'content-type': 'application/json' };
    it.each<[string, ApiRequest, string, string | undefined]>([
      ['an unknown stream', post({ ...valid, stream: 'signIns' }), 'InvalidField', 'stream'],
      ['a stream with a quote', post({ ...valid, stream: "audit' or 1 eq 1" }), 'InvalidField', 'stream'],
      ['a missing stream', post({ from: FROM, to: TO }), 'InvalidField', 'stream'],
      ['a missing from', post({ stream: 'audit', to: TO }), 'InvalidField', 'from'],
      ['a date that does not exist', post({ ...valid, from: '2026-02-30T00:00:00Z' }), 'InvalidField', 'from'],
      ['a time without a zone', post({ ...valid, from: '2026-11-28T06:00:00' }), 'InvalidField', 'from'],
      ['an hour 25', post({ ...valid, to: '2026-11-28T25:00:00Z' }), 'InvalidField', 'to'],
      ['a number for a time', post({ ...valid, from: 1764309600000 }), 'InvalidField', 'from'],
      ['a reversed range', post({ ...valid, from: TO, to: FROM }), 'InvalidField', 'to'],
      ['an empty range', post({ ...valid, to: FROM }), 'InvalidField', 'to'],
      ['a range ending in the future', post({ ...valid, to: '2026-11-28T13:00:00Z' }), 'InvalidField', 'to'],
      ['a range beyond retention', post({ ...valid, from: '2026-10-01T00:00:00Z' }), 'InvalidField', 'from'],
      ['an unknown filter', post({ ...valid, filters: { colour: 'red' } }), 'UnknownField', 'filters.colour'],
      ['a filter of another stream', post({ ...valid, stream: 'provisioning', filters: { user: 'ana@contoso.example' } }), 'UnknownField', 'filters.user'],
      ['a prototype key as a filter', post(`{"stream":"audit","from":"${FROM}","to":"${TO}","filters":{"__proto__":{"user":"a"}}}`), 'UnknownField', 'filters.__proto__'],
      ['a bad filter value', post({ ...valid, filters: { status: 'interrupted' } }), 'InvalidField', 'filters.status'],
      ['a filter value that is not text', post({ ...valid, filters: { user: ['a', 'b'] } }), 'InvalidField', 'filters.user'],
      ['filters that are not an object', post({ ...valid, filters: "user eq 'a'" }), 'InvalidField', 'filters'],
      ['an unknown format', post({ ...valid, formats: ['csv', 'xlsx'] }), 'InvalidField', 'formats[1]'],
      ['a format twice', post({ ...valid, formats: ['csv', 'csv'] }), 'InvalidField', 'formats'],
      ['no format', post({ ...valid, formats: [] }), 'InvalidField', 'formats'],
      ['an unknown field', post({ ...valid, fileName: 'x.csv' }), 'UnknownField', 'fileName'],
      ['a prototype key as a field', post(`{"stream":"audit","from":"${FROM}","to":"${TO}","__proto__":{"admin":true}}`), 'UnknownField', '__proto__'],
      ['a query parameter', post(valid, json, '?stream=audit'), 'UnknownParameter', undefined],
      ['text/plain', post(valid, { 'content-type': 'text/plain' }), '415 UnsupportedMediaType', undefined],
      ['no content type', post(valid, {}), '415 UnsupportedMediaType', undefined],
      ['form encoding', post('stream=audit', { 'content-type': 'application/x-www-form-urlencoded' }), '415 UnsupportedMediaType', undefined],
            ['a body over 16 KiB', post({ ...valid, filters: { user: 'a'.repeat(20_000) } }), '413 PayloadTooLarge', undefined],
      ['no body', post(''), 'InvalidField', 'stream'],
      ['malformed JSON', post('{"stream": "audit",'), 'InvalidBody', undefined],
      ['a JSON array', post([valid]), 'InvalidBody', undefined],
      ['JSON null', post('null'), 'InvalidBody', undefined],
      ['bytes that are not UTF-8', post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 'InvalidBody', undefined],
    ])('%s', async (_name, request, expected, target) => {
      const [status, code] = expected.includes(' ') ? [Number(expected.split(' ')[0]), expected.split(' ')[1]] : [400, expected];
      const before = (await h.runtime.jobs.listAll({ kind: 'adhoc' })).length;
      const response = await handled(async () => (await startAdhocExport(request, deps)).response, () => undefined);
      expect(response.status).toBe(status);
      expect(response.jsonBody).toEqual({ error: target === undefined ? { code, message: expect.any(String) } : { code, message: expect.any(String), target } });
      expect((await h.runtime.jobs.listAll({ kind: 'adhoc' })).length).toBe(before);
    });

    it('requires a signed-in caller when App Service Authentication is on', async () => {
      const response = await handled(async () => (await startAdhocExport(post(valid), { ...deps, auth: { authentication: 'appService', platformAuthentication: true } })).response, () => undefined);
      expect(response).toMatchObject({ status: 401, jsonBody: { error: { code: 'Unauthenticated' } } });
    });
  });
});
