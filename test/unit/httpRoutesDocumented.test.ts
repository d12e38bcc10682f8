import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('HTTP routes', () => {
  it('every registered route is in docs/openapi.yaml and docs/http-api.md', async () => {
    process.env.AzureWebJobsStorage ??= 'UseDevelopmentStorage=true';
    const { registeredFunctions } = await import('../../src/functions');
    const openapi = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8');
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'http-api.md'), 'utf8');
    const { FALLBACK_FUNCTION_NAME } = await import('../../src/functions/routeFallback');
    const routes = registeredFunctions().flatMap((f) => (f.kind === 'http' && f.name !== FALLBACK_FUNCTION_NAME ? [{ route: f.route.replace('{fileKey}', '{key}'), methods: f.methods }] : []));
    expect(routes.length).toBeGreaterThanOrEqual(4);
    for (const { route, methods } of routes) {
      expect(openapi).toContain(`/${route}:`);
      for (const method of methods) expect(guide).toContain(`${method} /api/${route}`);
    }
    // The catch-all is documented by what it answers, not as a route.
    for (const code of ['RouteNotFound', 'MethodNotAllowed']) {
      expect(openapi).toContain(code);
      expect(guide).toContain(`\`${code}\``);
    }
  });
});
