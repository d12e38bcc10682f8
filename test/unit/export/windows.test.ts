import { alignDown, planWindows } from '../../../src/export/windows';
import { formatInstant, parseInstant } from '../../../src/time/instant';

const t = parseInstant;

describe('planWindows', () => {
  it('cuts aligned half-open windows up to now minus lag, oldest first', () => {
    const windows = planWindows({ watermark: t('2026-11-27T07:20:00Z'), now: t('2026-11-27T10:45:00Z'), lagMinutes: 30, windowMinutes: 60, maxWindows: 100 });
    expect(windows.map((w) => `${formatInstant(w.start)}/${formatInstant(w.end)}`)).toEqual([
      '2026-11-27T07:00:00Z/2026-11-27T08:00:00Z',
      '2026-11-27T08:00:00Z/2026-11-27T09:00:00Z',
      '2026-11-27T09:00:00Z/2026-11-27T10:00:00Z',
    ]);
  });
  it('waits for the lag: a window ending inside it is not planned', () => {
    expect(planWindows({ watermark: t('2026-11-27T10:00:00Z'), now: t('2026-11-27T11:29:59Z'), lagMinutes: 30, windowMinutes: 60, maxWindows: 10 })).toEqual([]);
    expect(planWindows({ watermark: t('2026-11-27T10:00:00Z'), now: t('2026-11-27T11:30:00Z'), lagMinutes: 30, windowMinutes: 60, maxWindows: 10 })).toHaveLength(1);
  });
  it('caps the windows per tick', () => {
    expect(planWindows({ watermark: t('2026-11-20T00:00:00Z'), now: t('2026-11-27T00:00:00Z'), lagMinutes: 0, windowMinutes: 15, maxWindows: 7 })).toHaveLength(7);
  });
  it('aligns to UTC day boundaries for sizes that divide a day', () => {
    expect(formatInstant(alignDown(t('2026-11-27T10:44:59.9999999Z'), 15))).toBe('2026-11-27T10:30:00Z');
    expect(formatInstant(alignDown(t('2026-11-27T10:44:59Z'), 1440))).toBe('2026-11-27T00:00:00Z');
  });
});
