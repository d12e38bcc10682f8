/**
 * The exports API over real exported windows: listing, details with user-delegation links that a plain HTTP
 * client downloads (sha256 equal to the manifest), redirects, audit rows, and JSON errors with stable codes.
 */
import { gunzipSync } from 'node:zlib';
import { downloadExportFile, ExportsApiDeps, getExport, listExports, rerunExport } from '../../src/api/exportsApi';
import { ApiRequest, ApiResponse, handled } from '../../src/api/http';
import { sha256 } from '../support/exportVerifier';
import { Harness, startHarness } from '../support/exportHarness';

function request(path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): ApiRequest {
  const url = new URL(`http://localhost:7071${path}`);
  return { method: 'GET', url: url.toString(), query: url.searchParams, params, header: (n) => headers[n.toLowerCase()] ?? null, body: async () => Buffer.alloc(0) };
}

async function call(run: (r: ApiRequest, d: ExportsApiDeps) => Promise<ApiResponse>, r: ApiRequest, deps: ExportsApiDeps): Promise<ApiResponse> {
  return handled(() => run(r, deps), () => undefined);
}

describe('exports API', () => {
  let h: Harness;
  let deps: ExportsApiDeps;

  beforeAll(async () => {
    h = await startHarness({
      nowIso: '2026-11-28T12:00:00Z',
      env: { MAX_WINDOWS_PER_TICK: '2', STREAM_NONINTERACTIVESIGNINS_ENABLED: 'false', STREAM_PROVISIONING_ENABLED: 'false' },
      simulator: { volume: { audit: 120, interactiveSignIns: 60, servicePrincipalSignIns: 30, managedIdentitySignIns: 30 } },
    });
    await h.drain(await h.plan());
    const r = h.runtime;
    deps = {
      jobs: r.jobs,
      linkAudit: r.linkAudit,
      signer: r.signer,
      container: r.config.exportsContainer,
      linkExpiryMinutes: 15,
      auth: { authentication: 'functionKey', platformAuthentication: false },
      retentionDays: r.config.retentionDays,
      now: r.now,
    };
  });
  afterAll(async () => h?.close());

  it('lists exports newest first, filtered, paged with a cursor', async () => {
    const all = await call(listExports, request('/api/exports'), deps);
    expect(all.status).toBe(200);
    const body = all.jsonBody as { exports: Array<{ jobId: string; stream: string; window: { start: string } }> };
    expect(body.exports.length).toBe(8);
    const starts = body.exports.map((e) => e.window.start);
    expect([...starts].sort().reverse()).toEqual(starts);
    const audit = (await call(listExports, request('/api/exports?stream=audit&status=succeeded'), deps)).jsonBody as typeof body;
    expect(audit.exports.map((e) => e.stream)).toEqual(['audit', 'audit']);
    const first = (await call(listExports, request('/api/exports?limit=3'), deps)).jsonBody as typeof body & { nextCursor: string };
    expect(first.exports).toHaveLength(3);
    const second = (await call(listExports, request(`/api/exports?limit=3&cursor=${first.nextCursor}`), deps)).jsonBody as typeof body;
    expect(second.exports[0].jobId).not.toBe(first.exports[0].jobId);
  });

  it('returns user-delegation links a plain client downloads, with the manifest hash and a portal file name', async () => {
    const jobId = ((await call(listExports, request('/api/exports?stream=audit&limit=1'), deps)).jsonBody as { exports: Array<{ jobId: string }> }).exports[0].jobId;
    const details = await call(getExport, request(`/api/exports/${jobId}`, { jobId }), deps);
    expect(details.status).toBe(200);
    const files = (details.jsonBody as { files: Array<{ key: string; url: string; sha256: string; name: string; records: number }> }).files;
    expect(files.map((f) => f.key).sort()).toEqual(['csv', 'jsonl']);
    for (const file of files) {
      expect(file.url).toMatch(/skoid=/); // signed with a user delegation key
      expect(file.url).toMatch(/sp=r&/);
      const response = await fetch(file.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toContain(file.name);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(sha256(bytes)).toBe(file.sha256);
      if (file.key === 'jsonl') {
        const ids = gunzipSync(bytes).toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
        const job = await h.runtime.jobs.get(jobId);
        expect(new Set(ids)).toEqual(new Set(h.sim.groundTruthIds({ stream: 'audit', start: job!.windowStart, end: job!.windowEnd, asOf: h.clock.now })));
      }
      // Read-only: the same link cannot write.
      expect((await fetch(file.url, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob' } })).status).toBe(403);
    }
    expect(files.find((f) => f.key === 'csv')?.name).toMatch(/^AuditLogs_2026-11-2\dT\d{4}Z_2026-11-2\dT\d{4}Z\.csv$/);
    const redirect = await call(downloadExportFile, request(`/api/exports/${jobId}/files/csv`, { jobId, fileKey: 'csv' }), deps);
    expect(redirect.status).toBe(302);
    expect((await fetch(redirect.headers!.Location)).status).toBe(200);
    const audit = await h.runtime.linkAudit.listDay('2026-11-28');
    expect(audit.some((row) => row.jobId === jobId && row.caller === 'function-key')).toBe(true);
  });

  it.each([
    ['/api/exports?stream=nope', {}, 400, 'InvalidParameter'],
    ['/api/exports?from=yesterday', {}, 400, 'InvalidParameter'],
    ['/api/exports?limit=0', {}, 400, 'InvalidParameter'],
    ['/api/exports?sort=asc', {}, 400, 'UnknownParameter'],
  ])('rejects %s with a JSON error', async (path, params, status, code) => {
    const response = await call(listExports, request(path, params), deps);
    expect(response.status).toBe(status);
    expect(response.jsonBody).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('answers unknown, malformed and unfinished jobs and files with stable codes', async () => {
    const bad = await call(getExport, request('/api/exports/x', { jobId: "audit' or 1" }), deps);
    expect(bad).toMatchObject({ status: 400, jsonBody: { error: { code: 'InvalidJobId' } } });
    const missing = await call(getExport, request('/api/exports/audit-20200101T0000Z', { jobId: 'audit-20200101T0000Z' }), deps);
    expect(missing).toMatchObject({ status: 404, jsonBody: { error: { code: 'ExportNotFound' } } });
    const jobId = ((await call(listExports, request('/api/exports?stream=audit&limit=1'), deps)).jsonBody as { exports: Array<{ jobId: string }> }).exports[0].jobId;
    const noFile = await call(downloadExportFile, request('/x', { jobId, fileKey: 'xml' }), deps);
    expect(noFile).toMatchObject({ status: 404, jsonBody: { error: { code: 'FileNotFound' } } });
    const rerun = await rerunExport(request('/x', { jobId }), deps);
    expect(rerun.response).toMatchObject({ status: 202, jsonBody: { revision: 1, pendingRevision: 2 } });
    // The served revision keeps answering while the re-run is queued.
    const meanwhile = await call(downloadExportFile, request('/x', { jobId, fileKey: 'csv' }), deps);
    expect(meanwhile.status).toBe(302);
    await h.drain(rerun.messages);
    const after = await h.runtime.jobs.get(jobId);
    expect(after).toMatchObject({ status: 'succeeded', revision: 2, result: { revision: 2 } });
    expect(after!.result!.files[0].blobName).toMatch(/_r2\./);
    const noRevision = await call(downloadExportFile, request('/x?revision=7', { jobId, fileKey: 'csv' }), deps);
    expect(noRevision).toMatchObject({ status: 404, jsonBody: { error: { code: 'RevisionNotFound', message: expect.stringContaining('2, 1') } } });
  });

  const principal = (roles: string[], name = 'ana@contoso.example') =>
    Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'preferred_username', val: name }, { typ: 'oid', val: '6f1c1d8e-2b7a-4c55-9d1e-0a3b5c7d9e11' }, ...roles.map((r) => ({ typ: 'roles', val: r }))] })).toString('base64');

  it('requires the route\'s app role when App Service Authentication is on: Exports.Read to read, Exports.Run to re-run', async () => {
    const roleDeps: ExportsApiDeps = { ...deps, auth: { authentication: 'appService', platformAuthentication: true } };
    expect(await call(listExports, request('/api/exports'), roleDeps)).toMatchObject({ status: 401, jsonBody: { error: { code: 'Unauthenticated' } } });
    expect(await call(listExports, request('/api/exports', {}, { 'x-ms-client-principal': principal([]) }), roleDeps)).toMatchObject({ status: 403, jsonBody: { error: { code: 'Forbidden' } } });
    expect((await call(listExports, request('/api/exports', {}, { 'x-ms-client-principal': principal(['Exports.Read']) }), roleDeps)).status).toBe(200);
    const jobId = 'audit-20200101T0000Z';
    const reader = { 'x-ms-client-principal': principal(['Exports.Read']) };
    const rerunAsReader = await call(async (r, d) => (await rerunExport(r, d)).response, { ...request('/x', { jobId }, reader), method: 'POST' }, roleDeps);
    expect(rerunAsReader).toMatchObject({ status: 403, jsonBody: { error: { code: 'Forbidden', message: expect.stringContaining('Exports.Run') } } });
    const runner = { 'x-ms-client-principal': principal(['Exports.Run']) };
    const rerunAsRunner = await call(async (r, d) => (await rerunExport(r, d)).response, { ...request('/x', { jobId }, runner), method: 'POST' }, roleDeps);
    expect(rerunAsRunner).toMatchObject({ status: 404, jsonBody: { error: { code: 'ExportNotFound' } } });
  });

  it('records the signed-in caller and the platform\'s client-ip, never a forged principal or X-Forwarded-For', async () => {
    const jobId = ((await call(listExports, request('/api/exports?stream=audit&limit=1'), deps)).jsonBody as { exports: Array<{ jobId: string }> }).exports[0].jobId;
    const forged = { 'x-ms-client-principal': principal(['Exports.Read', 'Exports.Run'], 'mallory@evil.example'), 'x-forwarded-for': '10.9.9.9', 'client-ip': '203.0.113.7:50123' };
    expect((await call(downloadExportFile, request('/x', { jobId, fileKey: 'csv' }, forged), deps)).status).toBe(302);
    const signedIn = { 'x-ms-client-principal': principal(['Exports.Read'], 'ana@contoso.example'), 'x-forwarded-for': '10.9.9.9', 'client-ip': '[2001:db8::7]:443' };
    const withPlatform: ExportsApiDeps = { ...deps, auth: { authentication: 'functionKey', platformAuthentication: true } };
    expect((await call(downloadExportFile, request('/x', { jobId, fileKey: 'jsonl' }, signedIn), withPlatform)).status).toBe(302);
    const rows = (await h.runtime.linkAudit.listDay('2026-11-28')).filter((row) => row.jobId === jobId);
    expect(rows.filter((row) => row.fileKey === 'csv').map((row) => [row.caller, row.clientIp])).toContainEqual(['function-key', '203.0.113.7']);
    expect(rows.filter((row) => row.fileKey === 'jsonl').map((row) => [row.caller, row.callerObjectId, row.clientIp])).toContainEqual([
      'ana@contoso.example',
      '6f1c1d8e-2b7a-4c55-9d1e-0a3b5c7d9e11',
      '2001:db8::7',
    ]);
    expect(rows.some((row) => row.caller === 'mallory@evil.example' || row.clientIp === '10.9.9.9')).toBe(false);
  });

  it('pages with a cursor whose next link keeps the caller\'s filters and never the function key', async () => {
    const first = (await call(listExports, request('/api/exports?limit=1&stream=audit&code=s3cr3t-key'), deps)).jsonBody as { nextCursor: string | null; next: string | null };
    expect(first.next).not.toContain('s3cr3t');
    expect(first.next).toMatch(/^\/api\/exports\?limit=1&stream=audit&cursor=[A-Za-z0-9_-]+$/);
    const url = new URL(`http://localhost${first.next}`);
    expect(url.searchParams.get('cursor')).toBe(first.nextCursor);
  });
});
