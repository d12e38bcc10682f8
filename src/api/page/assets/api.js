// Calls the exporter's HTTP API from the page: the caller's function key (from the page's own `?code=`) goes in the
// x-functions-key header, an App Service Authentication session in its cookie; every failure becomes an ApiProblem
// whose message says what to do, from the API's stable error codes.

const page = new URL(window.location.href);

/** The function key the page was opened with, if any. */
export const functionKey = page.searchParams.get('code');

/** The API root: this module is served at <root>/ui/api.js. */
export const apiRoot = new URL('../', import.meta.url);

export class ApiProblem extends Error {
  constructor(status, code, message, target) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = target;
  }
}

/** A link the browser follows itself (downloads): the key must travel in the address. */
export function linkTo(path) {
  const url = new URL(path.replace(/^\/api\//, ''), apiRoot);
  if (functionKey) url.searchParams.set('code', functionKey);
  return url.pathname + url.search;
}

export async function api(path, { method = 'GET', query, body } = {}) {
  const url = new URL(path.replace(/^\/api\//, ''), apiRoot);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = { Accept: 'application/json' };
  if (functionKey) headers['x-functions-key'] = functionKey;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'NetworkError', 'The exporter did not answer. Check that the function app is running and reachable, then try again.');
  }
  let json = null;
  if ((response.headers.get('content-type') ?? '').includes('application/json')) {
    try {
      json = await response.json();
    } catch {
      json = null;
    }
  }
  if (response.ok) return json;
  throw problemFrom(response.status, json?.error);
}

function problemFrom(status, error) {
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = typeof error?.message === 'string' ? error.message : '';
  if (status === 401 && !code) {
    // The Functions host refused the key before the app ran (its answer has no body).
    return new ApiProblem(
      401,
      'FunctionKeyRequired',
      functionKey
        ? "The function key in this page's address was refused. Open the page again with a valid key: …/api/ui?code=<function key>."
        : 'This exporter is protected by a function key: open this page as …/api/ui?code=<function key> (Azure portal: the function app, App keys).',
    );
  }
  if (code === 'Unauthenticated') return new ApiProblem(status, code, `${message} Sign in, then reload this page.`);
  if (code === 'Forbidden') return new ApiProblem(status, code, `${message} Until then this page can show nothing.`);
  if (status >= 500) {
    return new ApiProblem(status, code ?? 'InternalError', 'The exporter failed to answer this request; the error is in the function logs. Try again in a moment.');
  }
  if (!code) return new ApiProblem(status, 'UnexpectedAnswer', `The exporter answered ${status} without an explanation. Reload the page and try again.`);
  return new ApiProblem(status, code, message, typeof error.target === 'string' ? error.target : undefined);
}

/** Sign-in address of App Service Authentication, back to this page afterwards. */
export function signInHref() {
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(page.pathname + page.search)}`;
}
