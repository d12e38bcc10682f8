/**
 * One Node.js story: package.json `engines`, the Node the tests run on, the Flex Consumption runtime in Bicep and every
 * installed package's declared `engines` must agree, and the README must say the same. A dependency update that
 * drops Node 20 (or a Bicep runtime the dependencies do not support) fails here, not in production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const root = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: unknown; dev?: boolean }> };

const floor = semver.minVersion(packageJson.engines.node);
const bicepRuntime = /runtime:\s*\{\s*name:\s*'node'\s*version:\s*'(\d+)'\s*\}/.exec(read('infra/app/api.bicep'))?.[1];

function declaredNodeRange(engines: unknown): string | undefined {
  if (typeof engines !== 'object' || engines === null || Array.isArray(engines)) return undefined;
  const node = (engines as { node?: unknown }).node;
  return typeof node === 'string' ? node : undefined;
}

describe('Node.js runtime', () => {
  it('package.json engines has a floor, and the tests run on a Node it admits', () => {
    expect(floor?.version).toBe('20.19.0');
    expect({ node: process.version, admitted: semver.satisfies(process.version, packageJson.engines.node) }).toEqual({ node: process.version, admitted: true });
  });

  it('the Flex Consumption runtime in Bicep is a Node major that engines admits', () => {
    expect(bicepRuntime).toBe('22');
    expect(semver.satisfies(`${bicepRuntime}.0.0`, packageJson.engines.node)).toBe(true);
  });

  it('every installed package declares support for the engines floor and for the Bicep runtime', () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = declaredNodeRange(entry.engines);
      if (!path || range === undefined) continue;
      const admitsFloor = semver.satisfies(floor!, range);
      const admitsAzure = semver.intersects(range, `^${bicepRuntime}`);
      if (!admitsFloor || !admitsAzure) refusing.push(`${path.replace(/^.*node_modules\//, '')} (${entry.dev ? 'dev' : 'runtime'}) declares node ${range}`);
    }
    expect(refusing).toEqual([]);
  });

  it('the README states the same versions', () => {
    const readme = read('README.md');
    expect(readme).toContain(`Node.js ${floor!.major}.${floor!.minor}`);
    expect(readme).toContain(`Node ${bicepRuntime}`);
  });
});
