import { output, Timer } from '@azure/functions';
import type { TimerFunctionSpec } from '../../src/functions/registry';
import type { LocalHost } from '../../dev/local-host';
import { uniqueName } from '../support/azurite';
import { fromBase64, peekTexts, startTestHost, until } from './localHostFixture';

describe('local host: timer functions', () => {
  let host: LocalHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it('runs a timer on demand and sends its queue output base64-encoded, one message per element', async () => {
    const outQueue = uniqueName('timerout');
    const jobs = output.storageQueue({ queueName: outQueue, connection: 'AzureWebJobsStorage' });
    const seen: { timer: Timer; functionName: string; trigger: string }[] = [];
    const spec: TimerFunctionSpec = {
      kind: 'timer',
      name: 'planner',
      schedule: '0 0 0 1 1 *',
      runOnStartup: false,
      extraOutputs: [jobs],
      handler: (timer, context) => {
        seen.push({ timer, functionName: context.functionName, trigger: context.options.trigger.type });
        context.extraOutputs.set(jobs, [{ job: 'a' }, { job: 'b' }]);
      },
    };
    host = await startTestHost([spec]);
    await host.runTimer('planner');

    expect(seen).toHaveLength(1);
    expect(seen[0]?.functionName).toBe('planner');
    expect(seen[0]?.trigger).toBe('timerTrigger');
    expect(seen[0]?.timer.isPastDue).toBe(false);
    expect(seen[0]?.timer.schedule).toEqual({ adjustForDST: false });
    expect(new Date(seen[0]?.timer.scheduleStatus.next ?? '').toISOString()).toMatch(/-01-01T00:00:00\.000Z$/);
    const texts = await peekTexts(outQueue);
    expect(texts.map((t) => JSON.parse(fromBase64(t)))).toEqual([{ job: 'a' }, { job: 'b' }]);
  });

  it('sends nothing when the timer handler fails', async () => {
    const outQueue = uniqueName('timerfail');
    const jobs = output.storageQueue({ queueName: outQueue, connection: 'AzureWebJobsStorage' });
    const spec: TimerFunctionSpec = {
      kind: 'timer',
      name: 'failing',
      schedule: '0 0 0 1 1 *',
      runOnStartup: false,
      extraOutputs: [jobs],
      handler: (_timer, context) => {
        context.extraOutputs.set(jobs, { job: 'never' });
        throw new Error('boom');
      },
    };
    host = await startTestHost([spec]);
    await host.runTimer('failing');
    expect(await peekTexts(outQueue)).toEqual([]);
  });

  it('fires on its NCRONTAB schedule and never overlaps runs of the same timer', async () => {
    let running = 0;
    let maxRunning = 0;
    let completed = 0;
    const spec: TimerFunctionSpec = {
      kind: 'timer',
      name: 'everySecond',
      schedule: '* * * * * *',
      runOnStartup: false,
      extraOutputs: [],
      handler: async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        // Longer than the schedule's period, so the next tick finds this run still going.
        await new Promise((resolve) => setTimeout(resolve, 1300));
        running -= 1;
        completed += 1;
      },
    };
    host = await startTestHost([spec]);
    await until(() => completed >= 2);
    expect(maxRunning).toBe(1);
  });

  it('runs every timer once at start when asked to', async () => {
    let runs = 0;
    const spec: TimerFunctionSpec = {
      kind: 'timer',
      name: 'startup',
      schedule: '0 0 0 1 1 *',
      runOnStartup: false,
      extraOutputs: [],
      handler: () => {
        runs += 1;
      },
    };
    host = await startTestHost([spec], { runTimersAtStart: true });
    await until(() => runs === 1);
    await expect(host.runTimer('nope')).rejects.toThrow(/No timer function named "nope"/);
  });
});
