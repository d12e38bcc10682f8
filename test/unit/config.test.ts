import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSettingNames, ConfigError, loadConfig } from '../../src/config';

const local = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

describe('configuration', () => {
  it('has working defaults for everything but storage', () => {
    const config = loadConfig(local);
    expect(config.formats).toEqual(['jsonl.gz', 'csv']);
    expect(config.streams.audit).toEqual({ enabled: true, windowMinutes: 60, lagMinutes: 30 });
    expect(config.streams.nonInteractiveSignIns.lagMinutes).toBe(150);
    expect(config.schedule).toBe('0 */5 * * * *');
    expect(config.linkExpiryMinutes).toBe(15);
  });

  it.each([
    [{}, 'AzureWebJobsStorage__blobServiceUri'],
    [{ BACKFILL_DAYS: '45' }, 'BACKFILL_DAYS'],
    [{ ENTRA_RETENTION_DAYS: '7', BACKFILL_DAYS: '8' }, 'BACKFILL_DAYS'],
    [{ EXPORT_FORMATS: 'csv,xml' }, 'EXPORT_FORMATS'],
    [{ EXPORT_SCHEDULE: '*/5 * * * *' }, 'EXPORT_SCHEDULE'],
    [{ EXPORT_SCHEDULE: '0 */65 * * * *' }, 'EXPORT_SCHEDULE'],
    [{ EXPORT_SCHEDULE: '0 0 12 ? * MON' }, 'EXPORT_SCHEDULE'],
    [{ STREAM_AUDIT_WINDOW_MINUTES: '7' }, 'STREAM_AUDIT_WINDOW_MINUTES'],
    [{ STREAM_PROVISIONING_ENABLED: 'maybe' }, 'STREAM_PROVISIONING_ENABLED'],
    [{ LINK_EXPIRY_MINUTES: '61' }, 'LINK_EXPIRY_MINUTES'],
    [{ GRAPH_BASE_URL: 'http://graph.example' }, 'GRAPH_BASE_URL'],
    [{ AzureWebJobsStorage: 'not a connection string' }, 'AzureWebJobsStorage'],
  ])('fails fast naming the setting: %j', (env, setting) => {
    const withStorage = 'AzureWebJobsStorage' in env || Object.keys(env).length === 0 ? env : { ...local, ...env };
    expect(() => loadConfig(withStorage as Record<string, string>)).toThrow(ConfigError);
    expect(() => loadConfig(withStorage as Record<string, string>)).toThrow(setting);
  });

  it('reads identity-based storage the way the Functions host does', () => {
    const config = loadConfig({ AzureWebJobsStorage__accountName: 'acct', AzureWebJobsStorage__credential: 'managedidentity', AzureWebJobsStorage__clientId: 'cid' });
    expect(config.storage).toEqual({
      blobServiceUri: 'https://acct.blob.core.windows.net',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      tableServiceUri: 'https://acct.table.core.windows.net',
      clientId: 'cid',
      credential: 'managedidentity',
    });
  });

  it('local.settings.sample.json lists every setting and is valid', () => {
    const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
    const listed = Object.keys(sample.Values);
    for (const name of configSettingNames().filter((n) => !n.startsWith('AzureWebJobsStorage__'))) expect(listed).toContain(name);
    expect(() => loadConfig(sample.Values)).not.toThrow();
  });

  it('docs/configuration.md documents every setting', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    for (const name of configSettingNames()) {
      const documented = doc.includes(`\`${name}\``) || (name.startsWith('STREAM_') && doc.includes('`STREAM_<ID>_' + name.split('_').slice(2).join('_') + '`'));
      expect({ name, documented }).toEqual({ name, documented: true });
    }
  });
});
