import { compileRoute } from '../../../src/api/routeTemplate';

describe('route templates', () => {
  it('matches literals case-insensitively and captures parameters', () => {
    const route = compileRoute('api/exports/{id}');
    expect(route.match('/api/Exports/abc')).toEqual({ id: 'abc' });
    expect(route.match('/api/exports/abc/')).toEqual({ id: 'abc' });
    expect(route.match('/api/exports')).toBeUndefined();
    expect(route.match('/api/exports/a/b')).toBeUndefined();
  });

  it('supports optional, constrained, catch-all and in-segment parameters', () => {
    expect(compileRoute('api/x/{id?}').match('/api/x')).toEqual({});
    expect(compileRoute('api/n/{n:int}').match('/api/n/12')).toEqual({ n: '12' });
    expect(compileRoute('api/n/{n:int}').match('/api/n/twelve')).toBeUndefined();
    expect(compileRoute('api/f/{*rest}').match('/api/f/a/b%2Fc')).toEqual({ rest: 'a/b/c' });
    expect(compileRoute('api/d/{name}.{ext}').match('/api/d/report.csv')).toEqual({ name: 'report', ext: 'csv' });
  });

  it('counts literal segments so the more specific route can win', () => {
    expect(compileRoute('api/exports/latest').literalSegments).toBe(3);
    expect(compileRoute('api/exports/{id}').literalSegments).toBe(2);
  });
});
