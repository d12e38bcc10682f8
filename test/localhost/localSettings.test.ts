import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLocalSettings, LocalSettingsError, readLocalSettings } from '../../dev/local-host/localSettings';

function settingsFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'localsettings-')), 'local.settings.json');
  writeFileSync(path, content);
  return path;
}

describe('local.settings.json', () => {
  it('reads Values and Host.LocalHttpPort, and the environment wins over the file', () => {
    const path = settingsFile(JSON.stringify({ Values: { A: 'file', B: 'file', N: 5 }, Host: { LocalHttpPort: 7072 } }));
    const settings = readLocalSettings(path);
    expect(settings).toEqual({ values: { A: 'file', B: 'file', N: '5' }, localHttpPort: 7072 });
    const env: NodeJS.ProcessEnv = { A: 'environment' };
    applyLocalSettings(settings.values, env);
    expect(env).toEqual({ A: 'environment', B: 'file', N: '5' });
  });

  it('is optional, but a broken file is an error naming the file', () => {
    expect(readLocalSettings(join(tmpdir(), 'does-not-exist', 'local.settings.json'))).toEqual({ values: {} });
    const broken = settingsFile('{ "Values": ');
    expect(() => readLocalSettings(broken)).toThrow(LocalSettingsError);
    expect(() => readLocalSettings(broken)).toThrow(broken);
  });
});
