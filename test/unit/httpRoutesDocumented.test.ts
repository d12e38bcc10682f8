/**
 * Every route the app registers is described in docs/openapi.yaml (same method and path, and nothing described that
 * the app does not serve) and in docs/http-api.md. The description itself is checked by openapi-backend on load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenApiContract } from '../support/openApi';

/** Function route → the OpenAPI paths it serves: parameters by position, `{*rest}` with and without its segment. */
function documentedPaths(route: string): string[] {
  const generic = `/${route}`.replace(/\{[^}*]+\}/g, '{}');
  const catchAll = /\/\{\*[^}]+\}$/;
  return catchAll.test(generic) ? [generic.replace(catchAll, ''), generic.replace(catchAll, '/{}')] : [generic];
}

describe('HTTP routes', () => {
  it('every registered route is an operation of docs/openapi.yaml, every operation a registered route, and both are in docs/http-api.md', async () => {
    process.env.AzureWebJobsStorage ??= 'UseDevelopmentStorage=true';
    const { registeredFunctions } = await import('../../src/functions');
    const { FALLBACK_FUNCTION_NAME } = await import('../../src/functions/routeFallback');
    const contract = await OpenApiContract.load();
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'http-api.md'), 'utf8');
    const served = registeredFunctions().flatMap((f) =>
      f.kind === 'http' && f.name !== FALLBACK_FUNCTION_NAME ? f.methods.flatMap((method) => documentedPaths(f.route).map((path) => `${method} ${path}`)) : [],
    );
    const operations = contract.operations();
    const described = operations.map((op) => `${op.method} ${op.path.replace(/\{[^}]+\}/g, '{}')}`);
    expect([...new Set(served)].sort()).toEqual([...new Set(described)].sort());
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    for (const op of operations) expect(guide).toContain(`${op.method} /api${op.path}`);
    // The catch-all is documented by what it answers, not as a route.
    const openapi = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8');
    for (const code of ['RouteNotFound', 'MethodNotAllowed']) {
      expect(openapi).toContain(code);
      expect(guide).toContain(`\`${code}\``);
    }
  });
});
