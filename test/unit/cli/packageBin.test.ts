import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

describe('entra-export is installed as a command and runs in a checkout', () => {
  it('the package bin is the built entry point, which starts with a node shebang', () => {
    expect(packageJson.bin).toEqual({ 'entra-export': 'dist/src/cli/main.js' });
    const source = readFileSync(join(root, packageJson.bin['entra-export'].replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8');
    expect(source.split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('npm run export runs the same entry point from source', () => {
    expect(packageJson.scripts.export).toBe('node --require tsx/cjs src/cli/main.ts');
  });
});
