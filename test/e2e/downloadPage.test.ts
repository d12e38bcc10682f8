/**
 * The download page in a real browser (Debian's chromium through playwright-core), against the whole app under the
 * local host: what a person sees and clicks. Stream health, the newest succeeded export with working downloads
 * (bytes checked against the SHA-256 the page shows), an on-demand export started from the form and followed to its
 * files, errors shown at the field they concern, the function key carried, and App Service Authentication's roles.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Download, Page, Request as BrowserRequest } from 'playwright-core';
import { INTERRUPT_ERROR_CODES } from '../../src/formats/csv/displayValues';
import { launchBrowser } from '../../dev/browser';
import { LocalApp, startLocalApp } from '../support/localApp';
import { OpenApiContract, RealResponse } from '../support/openApi';
import { STREAM_IDS } from '../../src/streams/catalog';

const HOUR = 3_600_000;
/** Now on a whole minute (the form takes minutes). */
const NOW = Math.floor(Date.now() / 60_000) * 60_000;

let app: LocalApp;
let browser: Browser;
let contract: OpenApiContract;
/** Every API answer the browser received, checked against docs/openapi.yaml after each test. */
let seen: Array<Promise<RealResponse>> = [];

/** The page's focused element, as the browser reports it (this file has no DOM types: it runs in Node). */
interface FocusedElement {
  id: string;
  tag: string;
  text: string;
  inExports: boolean;
}
async function focused(page: Page): Promise<FocusedElement> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { id: string; tagName: string; textContent: string | null; closest(selector: string): unknown } | null } }).document.activeElement;
    return { id: active?.id ?? '', tag: active?.tagName ?? '', text: active?.textContent ?? '', inExports: Boolean(active?.closest('#exports')) };
  });
}

const CONTRAST_CHECK = `(() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const parse = (text) => { const m = text.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const [r, g, b, a = 1] = m[1].split(',').map(Number); return { r, g, b, a }; };
  const luminance = ({ r, g, b }) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (node) => {
    for (let el = node; el; el = el.parentElement) {
      const colour = parse(getComputedStyle(el).backgroundColor);
      if (colour && colour.a === 1) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join('');
    if (!text || el.closest('[hidden]') || el.closest('.visually-hidden')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || parseFloat(style.opacity) < 1) continue;
    const fg = parse(style.color);
    const bg = background(el);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(el.tagName + ' "' + text.slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return failures;
})()`;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const principal = (roles: string[]) =>
  Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'preferred_username', val: 'ana@contoso.example' }, { typ: 'oid', val: '6f1c1d8e-2b7a-4c55-9d1e-0a3b5c7d9e11' }, ...roles.map((val) => ({ typ: 'roles', val }))] })).toString('base64');

async function openPage(options: { query?: string; headers?: Record<string, string> } = {}): Promise<{ context: BrowserContext; page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, extraHTTPHeaders: options.headers, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  // What the browser's console reports as errors (a resource that failed to load, a script error).
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/api/')) return;
    seen.push(
      (async () => {
        const headers = await response.allHeaders();
        let body: unknown;
        try {
          body = (headers['content-type'] ?? '').includes('application/json') ? await response.json() : await response.text();
        } catch {
          body = undefined; // a redirect or a download has no body to read here
        }
        return { method: response.request().method(), url: url.pathname, status: response.status(), headers, body };
      })(),
    );
  });
  await page.goto(`${app.host.httpUrl}/api/ui${options.query ?? ''}`);
  return { context, page, consoleErrors };
}

async function downloadBytes(download: Download): Promise<Buffer> {
  const path = await download.path();
  if (!path) throw new Error(`download failed: ${await download.failure()}`);
  return readFileSync(path);
}

beforeAll(async () => {
  app = await startLocalApp({
    now: NOW,
    env: { GRAPH_PAGE_SIZE: '200', STREAM_AUDIT_WINDOW_MINUTES: '360', STREAM_INTERACTIVESIGNINS_WINDOW_MINUTES: '360', STREAM_NONINTERACTIVESIGNINS_WINDOW_MINUTES: '360' },
    simulator: { volume: { audit: 60, interactiveSignIns: 200, nonInteractiveSignIns: 40, servicePrincipalSignIns: 10, managedIdentitySignIns: 10, provisioning: 10 } },
  });
  await app.host.runTimer('scheduleExports');
  await app.host.drainQueues({ timeoutMs: 120_000 });
  browser = await launchBrowser();
  contract = await OpenApiContract.load();
});

afterEach(async () => {
  const responses = await Promise.all(seen);
  seen = [];
  expect(responses.flatMap((response) => contract.problems(response))).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the download page', () => {
  it('shows the health of all six streams, with nothing in the console (no request of the page fails)', async () => {
    const { context, page, consoleErrors } = await openPage();
    const health = page.getByRole('table', { name: 'Health of each exported stream' });
    await health.getByRole('row').nth(STREAM_IDS.length).waitFor();
    const rows = health.getByRole('row');
    expect(await rows.count()).toBe(STREAM_IDS.length + 1);
    for (const title of ['Audit logs', 'Interactive user sign-ins', 'Provisioning logs']) {
      await expect(health.getByRole('rowheader', { name: new RegExp(title) }).count()).resolves.toBe(1);
    }
    expect(await health.getByText('Healthy').count()).toBe(STREAM_IDS.length);
    await page.getByRole('table', { name: 'Exports, newest window first' }).getByRole('row').nth(1).waitFor();
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('lists the newest succeeded export first and downloads its files through the files route, bytes matching the SHA-256 shown', async () => {
    const { context, page } = await openPage();
    await page.getByLabel('Status').first().selectOption('succeeded');
    await page.getByRole('button', { name: 'Show exports' }).click();
    const list = page.getByRole('table', { name: 'Exports, newest window first' });
    const newest = (await app.runtime.jobs.listAll({ status: 'succeeded' }))[0];
    const firstButton = list.getByRole('row').nth(1).getByRole('button');
    await expect(firstButton.textContent()).resolves.toBe(newest.jobId);
    await firstButton.click();
    await page.getByRole('heading', { name: `Export ${newest.jobId}` }).waitFor();
    expect((await focused(page)).id).toBe('details-title');

    const files = page.getByRole('table', { name: `Files of export ${newest.jobId}` });
    await files.waitFor();
    const stored = newest.result!.files;
    expect(await files.getByRole('row').count()).toBe(stored.length + 1);
    for (const file of stored) {
      const row = files.getByRole('row').filter({ hasText: file.downloadName });
      await expect(row.getByText(file.sha256).count()).resolves.toBe(1);
      expect(await row.textContent()).toContain(`${file.bytes.toLocaleString('en')} bytes`);
      const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: `Download ${file.downloadName}` }).click()]);
      expect(download.suggestedFilename()).toBe(file.downloadName);
      const data = await downloadBytes(download);
      expect({ name: file.downloadName, sha256: sha256(data), bytes: data.length }).toEqual({ name: file.downloadName, sha256: file.sha256, bytes: file.bytes });
    }
    await context.close();
  });

  it('starts an on-demand export from the form, follows it to the end and downloads exactly the failed sign-ins of the range', async () => {
    const { context, page } = await openPage();
    const form = page.getByRole('region', { name: 'New on-demand export' });
    await form.getByLabel('Stream').selectOption('interactiveSignIns');
    const to = new Date(NOW - 3 * HOUR);
    const from = new Date(NOW - 7 * HOUR);
    await form.getByLabel('From (UTC)').fill(from.toISOString().slice(0, 16));
    await form.getByLabel('To (UTC, not included)').fill(to.toISOString().slice(0, 16));
    await form.getByLabel('Status').selectOption('failure');
    await form.getByLabel('jsonl.gz').check();
    await form.getByRole('button', { name: 'Start export' }).click();
    await form.getByRole('status').filter({ hasText: /Export adhoc-interactiveSignIns-.* is queued/ }).waitFor();
    const jobId = /Export (adhoc-\S+) is queued/.exec((await form.getByRole('status').textContent()) ?? '')?.[1] as string;

    await app.host.drainQueues({ timeoutMs: 60_000 });
    const details = page.getByRole('region', { name: `Export ${jobId}` });
    await details.getByText('Succeeded').waitFor({ timeout: 30_000 });
    await expect(details.getByText('status = failure').count()).resolves.toBe(1);
    const files = details.getByRole('table', { name: `Files of export ${jobId}` });
    const jsonl = files.getByRole('row').filter({ hasText: '.jsonl.gz' });
    const edge = (d: Date) => `${d.toISOString().slice(0, 10)}T${d.toISOString().slice(11, 13)}${d.toISOString().slice(14, 16)}Z`;
    expect(await jsonl.textContent()).toContain(`InteractiveSignIns_${edge(from)}_${edge(to)}.jsonl.gz`);
    const [download] = await Promise.all([page.waitForEvent('download'), jsonl.getByRole('link').click()]);
    const records = gunzipSync(await downloadBytes(download)).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; status: { errorCode: number } });
    const expected = [...app.sim.expectedRecords({ stream: 'interactiveSignIns', start: from.toISOString(), end: to.toISOString() })]
      .filter((r) => {
        const code = (r.status as { errorCode: number }).errorCode;
        return code !== 0 && !INTERRUPT_ERROR_CODES.has(code);
      })
      .map((r) => r.id as string);
    expect(expected.length).toBeGreaterThan(5);
    expect(records.map((r) => r.id).sort()).toEqual(expected.sort());
    await context.close();
  });

  it('shows an error at the field the API names, and moves the focus there', async () => {
    const { context, page } = await openPage();
    const form = page.getByRole('region', { name: 'New on-demand export' });
    await form.getByLabel('Stream').selectOption('audit');
    await form.getByLabel('From (UTC)').fill(new Date(NOW - 2 * HOUR).toISOString().slice(0, 16));
    await form.getByLabel('To (UTC, not included)').fill(new Date(NOW - 3 * HOUR).toISOString().slice(0, 16));
    await form.getByRole('button', { name: 'Start export' }).click();
    const toField = form.getByLabel('To (UTC, not included)');
    await page.getByText('"to" must be after "from"').first().waitFor();
    expect(await toField.getAttribute('aria-invalid')).toBe('true');
    expect((await focused(page)).id).toBe('new-to');
    // A bad filter value is shown at its own field.
    await form.getByLabel('To (UTC, not included)').fill(new Date(NOW - HOUR).toISOString().slice(0, 16));
    await form.getByLabel('Correlation ID').fill('not-a-guid');
    await form.getByRole('button', { name: 'Start export' }).click();
    await page.getByText(/must be a GUID/).first().waitFor();
    expect(await form.getByLabel('Correlation ID').getAttribute('aria-invalid')).toBe('true');
    expect((await focused(page)).id).toBe('new-filter-correlationId');
    await context.close();
  });

  it('shows every text with at least WCAG AA contrast against its background', async () => {
    const { context, page } = await openPage();
    await page.getByRole('table', { name: 'Exports, newest window first' }).getByRole('row').nth(1).getByRole('button').click();
    await page.getByRole('table', { name: /^Files of export / }).waitFor();
    // Runs in the page: every element with its own visible text, its colour against the first opaque background up
    // the tree, as WCAG 2 computes contrast (4.5:1, or 3:1 for large text).
    const failures = (await page.evaluate(CONTRAST_CHECK)) as string[];
    expect(failures).toEqual([]);
    await context.close();
  });

  it('can be used with the keyboard alone', async () => {
    const { context, page } = await openPage();
    await page.getByRole('table', { name: 'Exports, newest window first' }).getByRole('row').nth(1).waitFor();
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to the exports');
    // Tab reaches the first export's button; Enter opens it.
    for (let i = 0; i < 40 && !((await focused(page)).inExports && (await focused(page)).tag === 'BUTTON'); i += 1) await page.keyboard.press('Tab');
    expect((await focused(page)).inExports).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: /^Export / }).waitFor();
    expect((await focused(page)).id).toBe('details-title');
    await context.close();
  });

  it('carries the function key from its address to every API call and download link, and never elsewhere', async () => {
    const { context, page } = await openPage({ query: '?code=test-key-123' });
    const apiCalls: BrowserRequest[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/') && !request.url().includes('/api/ui')) apiCalls.push(request);
    });
    await page.reload();
    await page.getByRole('table', { name: 'Exports, newest window first' }).getByRole('row').nth(1).waitFor();
    expect(apiCalls.length).toBeGreaterThan(1);
    for (const request of apiCalls) expect(await request.headerValue('x-functions-key')).toBe('test-key-123');
    await page.getByRole('table', { name: 'Exports, newest window first' }).getByRole('row').nth(1).getByRole('button').click();
    const link = page.getByRole('link', { name: /^Download / }).first();
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(/^\/api\/exports\/[^?]+\/files\/[a-z-]+\?code=test-key-123$/);
    const response = await page.request.get(`${app.host.httpUrl}/api/ui?code=test-key-123`);
    expect(response.headers()['referrer-policy']).toBe('no-referrer');
    expect(await response.text()).not.toContain('test-key-123');
    await context.close();
  });

  it('behind App Service Authentication: reading needs Exports.Read, starting an export Exports.Run, and the page says so', async () => {
    app.reconfigure((config) => ({ ...config, api: { authentication: 'appService', platformAuthentication: true } }));
    try {
      const readOnly = await openPage({ headers: { 'x-ms-client-principal': principal(['Exports.Read']) } });
      await readOnly.page.getByRole('table', { name: 'Exports, newest window first' }).getByRole('row').nth(1).waitFor();
      const form = readOnly.page.getByRole('region', { name: 'New on-demand export' });
      await form.getByRole('button', { name: 'Start export' }).click();
      await form.getByRole('status').filter({ hasText: /lacks the app role "Exports\.Run"/ }).waitFor();
      await readOnly.context.close();

      const runOnly = await openPage({ headers: { 'x-ms-client-principal': principal(['Exports.Run']) } });
      expect(await runOnly.page.textContent('body')).toContain('lacks the app role \\"Exports.Read\\"');
      await runOnly.context.close();

      const signedOut = await browser.newContext({ ignoreHTTPSErrors: true });
      const answer = await signedOut.request.get(`${app.host.httpUrl}/api/streams`);
      expect(answer.status()).toBe(401);
      expect((await answer.json()).error.code).toBe('Unauthenticated');
      await signedOut.close();
    } finally {
      app.reconfigure((config) => ({ ...config, api: { authentication: 'functionKey', platformAuthentication: false } }));
    }
  });
});

describe('the API answers as docs/openapi.yaml describes, over real HTTP', () => {
  const check = async (path: string, init: RequestInit = {}) => {
    const answer = await contract.call(app.host.httpUrl, path, init);
    expect(answer.problems).toEqual([]);
    return answer;
  };
  const post = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }): RequestInit => ({
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('GET /api/streams reports all six streams', async () => {
    const { status, body } = await check('/api/streams');
    expect(status).toBe(200);
    const streams = (
      body as { streams: Array<{ stream: string; enabled: boolean; exportedThrough: string; lagMinutes: number; expectedLagMinutes: number; queued: number; failed: number }> }
    ).streams;
    expect(streams.map((s) => s.stream)).toEqual([...STREAM_IDS]);
    for (const stream of streams) {
      expect(stream).toMatchObject({ enabled: true, queued: 0, failed: 0 });
      // Exported through the last window that ended at least the lag ago: never further back than lag + window.
      expect(stream.lagMinutes).toBeLessThanOrEqual(stream.expectedLagMinutes);
    }
  });

  it('the exports routes: list, one export, a download redirect, a re-run', async () => {
    const list = await check('/api/exports?status=succeeded&limit=2');
    const [first] = (list.body as { exports: Array<{ jobId: string }> }).exports;
    const one = await check(`/api/exports/${first.jobId}`);
    const file = (one.body as { files: Array<{ download: string }> }).files[0];
    const redirect = await check(file.download);
    expect(redirect.status).toBe(302);
    const started = await check('/api/exports', post({ stream: 'audit', from: new Date(NOW - 5 * HOUR).toISOString(), to: new Date(NOW - 4 * HOUR).toISOString(), filters: { category: 'UserManagement' } }));
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe((started.body as { href: string }).href);
    await app.host.drainQueues({ timeoutMs: 60_000 });
    const done = await check((started.body as { href: string }).href);
    expect((done.body as { status: string }).status).toBe('succeeded');
  });

  it('the page and its files', async () => {
    const pageAnswer = await check('/api/ui');
    expect(pageAnswer.status).toBe(200);
    expect(pageAnswer.body).toContain('<script type="module" src="/api/ui/app.js">');
    const cached = await check('/api/ui', { headers: { 'If-None-Match': pageAnswer.headers.etag } });
    expect(cached.status).toBe(304);
    expect((await check('/api/ui/')).body).toContain('src="/api/ui/app.js"');
    expect((await check('/api/ui/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await check('/api/ui/styles.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const catalog = (await check('/api/ui/filters.json')).body as { streams: Array<{ stream: string; filters: Array<{ name: string }> }> };
    expect(catalog.streams.find((s) => s.stream === 'provisioning')?.filters.map((f) => f.name)).toEqual(['application', 'status', 'identity', 'action']);
  });

  it.each<[string, string, RequestInit, number, string]>([
    ['streams: an unknown parameter', '/api/streams?stream=audit', {}, 400, 'UnknownParameter'],
    ['streams: a parameter twice', '/api/streams?x=1&x=2', {}, 400, 'UnknownParameter'],
    ['streams: POST', '/api/streams', { method: 'POST' }, 405, 'MethodNotAllowed'],
    ['streams: DELETE', '/api/streams', { method: 'DELETE' }, 405, 'MethodNotAllowed'],
    ['exports: an unknown stream', '/api/exports', post({ stream: 'signIns', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }), 400, 'InvalidField'],
    ['exports: an OData injection in a filter', '/api/exports', post({ stream: 'audit', from: new Date(NOW - 2 * HOUR).toISOString(), to: new Date(NOW - HOUR).toISOString(), filters: { correlationId: "x' or 1 eq 1" } }), 400, 'InvalidField'],
    ['exports: a range beyond retention', '/api/exports', post({ stream: 'audit', from: new Date(NOW - 40 * 24 * HOUR).toISOString(), to: new Date(NOW - HOUR).toISOString() }), 400, 'InvalidField'],
    ['exports: a reversed range', '/api/exports', post({ stream: 'audit', from: new Date(NOW - HOUR).toISOString(), to: new Date(NOW - 2 * HOUR).toISOString() }), 400, 'InvalidField'],
    ['exports: an unknown format', '/api/exports', post({ stream: 'audit', from: new Date(NOW - 2 * HOUR).toISOString(), to: new Date(NOW - HOUR).toISOString(), formats: ['xlsx'] }), 400, 'InvalidField'],
    ['exports: text/plain', '/api/exports', post('{}', { 'Content-Type': 'text/plain' }), 415, 'UnsupportedMediaType'],
    ['exports: a body of 70 KiB', '/api/exports', post({ stream: 'audit', filters: { user: 'a'.repeat(70_000) } }), 413, 'PayloadTooLarge'],
    ['exports: broken JSON', '/api/exports', post('{"stream":'), 400, 'InvalidBody'],
    ['ui: an unknown file', '/api/ui/nope.js', {}, 404, 'RouteNotFound'],
    ['ui: a source file by traversal', '/api/ui/..%2F..%2Fhttp.ts', {}, 404, 'RouteNotFound'],
    ['ui: a file outside the list', '/api/ui/index.html.bak', {}, 404, 'RouteNotFound'],
    ['ui: a query parameter', '/api/ui?debug=1', {}, 400, 'UnknownParameter'],
    ['ui: POST', '/api/ui', { method: 'POST' }, 405, 'MethodNotAllowed'],
  ])('bad input gets a JSON 4xx: %s', async (_name, path, init, status, code) => {
    const answer = await check(path, init);
    expect(answer.status).toBe(status);
    expect((answer.body as { error: { code: string } }).error.code).toBe(code);
  });
});
