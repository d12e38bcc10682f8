/**
 * `GET /api/ui` and `GET /api/ui/{asset}`: the download page, plain HTML, CSS and ES modules from ./assets, served
 * as they are (no build step), plus `filters.json`, the on-demand export filters of each stream generated from
 * src/export/filters so the form and the API cannot disagree.
 *
 * The page and its assets hold no data and no secret: everything shown comes from the API, called by the page with
 * the caller's own function key (`?code=` in the page's address, sent as `x-functions-key`) or App Service
 * Authentication session. So the route is anonymous at the Functions level; with App Service Authentication on, the
 * page itself still requires `Exports.Read`. Every answer carries a strict Content-Security-Policy (scripts and
 * styles from this route only, no inline code, connections only to this origin) and `Referrer-Policy: no-referrer`,
 * so the key in the address never reaches the storage account a download link redirects to.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_IDS } from '../../config';
import { filterNames, filterTable } from '../../export/filters';
import { JOB_STATUSES } from '../../export/job';
import { STREAM_IDS, STREAMS } from '../../streams/catalog';
import { ApiAuthSettings, authorize } from '../callerIdentity';
import { ApiError, ApiRequest, ApiResponse, echo } from '../http';
import { parseQuery } from '../query';
import { z } from 'zod';

export interface DownloadPageDeps {
  auth: ApiAuthSettings;
}

interface Asset {
  body: string;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** The files a browser may fetch; anything else is a 404. */
const ASSET_NAME = /^[a-z][a-zA-Z0-9-]*\.(?:js|css)$/;

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** ./assets beside this file (source tree, tests, tsx), or the same folder of the deployed source when compiled. */
function assetDirectory(): string {
  const candidates = [join(__dirname, 'assets'), join(__dirname, '..', '..', '..', '..', 'src', 'api', 'page', 'assets')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`Download page assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

const cache = new Map<string, Asset>();

function asset(name: string, build: () => Buffer, contentType: string): Asset {
  let found = cache.get(name);
  if (!found) {
    const bytes = build();
    found = { body: bytes.toString('utf8'), contentType, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
    cache.set(name, found);
  }
  return found;
}

/** Each stream's filters as the form needs them: name, what it matches, whether `*` works, its closed set of values. */
export function filterCatalog(): unknown {
  return {
    formats: FORMAT_IDS,
    statuses: JOB_STATUSES,
    streams: STREAM_IDS.map((stream) => ({
      stream,
      title: STREAMS[stream].title,
      filters: filterNames(stream).map((name) => {
        const definition = filterTable(stream)[name];
        return { name, matches: definition?.matches ?? '', prefix: definition?.allowPrefix ?? false, values: definition?.values ?? null };
      }),
    })),
  };
}

export async function serveDownloadPage(request: ApiRequest, deps: DownloadPageDeps): Promise<ApiResponse> {
  const name = (request.params.asset ?? '').replace(/^\/+/, '');
  let served: Asset;
  if (name === '' || name === 'index.html') {
    authorize(request, 'Exports.Read', deps.auth);
    parseQuery(z.object({}), request.query);
    // Asset links are absolute from the page's own path (`/api/ui`, `/api/ui/` or `/api/ui/index.html`).
    const base = new URL(request.url).pathname.replace(/\/+$/, '').replace(/\/index\.html$/i, '');
    const template = asset('index.html', () => readFileSync(join(assetDirectory(), 'index.html')), CONTENT_TYPES['.html']);
    const body = template.body.replaceAll('{{base}}', base.replace(/[^A-Za-z0-9/_.~-]/g, encodeURIComponent));
    served = { body, contentType: template.contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  } else if (name === 'filters.json') {
    served = asset(name, () => Buffer.from(JSON.stringify(filterCatalog()), 'utf8'), CONTENT_TYPES['.json']);
  } else if (ASSET_NAME.test(name) && existsSync(join(assetDirectory(), name))) {
    served = asset(name, () => readFileSync(join(assetDirectory(), name)), CONTENT_TYPES[name.slice(name.lastIndexOf('.'))]);
  } else {
    throw new ApiError(404, 'RouteNotFound', `The download page has no file ${echo(name, 80)}; open /api/ui.`);
  }
  const headers: Record<string, string> = { ...PAGE_HEADERS, 'Content-Type': served.contentType, ETag: served.etag, 'Cache-Control': 'no-cache' };
  if (request.header('if-none-match') === served.etag) return { status: 304, headers };
  return { status: 200, headers, body: served.body };
}
