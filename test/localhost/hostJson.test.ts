import { join } from 'node:path';
import { HostJsonError, parseHostSettings, parseTimeSpan, readHostSettings } from '../../dev/local-host/hostJson';

describe('host.json settings', () => {
  it("reads the repository's host.json rather than assuming values", () => {
    const settings = readHostSettings(join(__dirname, '..', '..', 'host.json'));
    expect(settings.routePrefix).toBe('api');
    expect(settings.queues).toEqual({
      batchSize: 4,
      newBatchThreshold: 2,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 30_000,
      maxPollingIntervalMs: 10_000,
      messageEncoding: 'base64',
    });
  });

  it('falls back to the queue extension defaults', () => {
    expect(parseHostSettings({ version: '2.0' }, 4)).toEqual({
      routePrefix: 'api',
      queues: {
        batchSize: 16,
        newBatchThreshold: 32,
        maxDequeueCount: 5,
        visibilityTimeoutMs: 0,
        maxPollingIntervalMs: 60_000,
        messageEncoding: 'base64',
      },
    });
    expect(parseHostSettings({ extensions: { http: { routePrefix: '' } } }).routePrefix).toBe('');
  });

  it('parses .NET TimeSpan text', () => {
    expect(parseTimeSpan('00:00:30')).toBe(30_000);
    expect(parseTimeSpan('1.02:03:04.5')).toBe(((24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 500);
    expect(parseTimeSpan('30s')).toBeUndefined();
  });

  it('names the bad setting', () => {
    expect(() => parseHostSettings({ extensions: { queues: { batchSize: 64 } } })).toThrow(HostJsonError);
    expect(() => parseHostSettings({ extensions: { queues: { batchSize: 64 } } })).toThrow(/extensions\.queues\.batchSize/);
    expect(() => parseHostSettings({ extensions: { queues: { visibilityTimeout: 30 } } })).toThrow(/visibilityTimeout/);
    expect(() => parseHostSettings({ extensions: { queues: { messageEncoding: 'utf8' } } })).toThrow(/messageEncoding/);
  });
});
