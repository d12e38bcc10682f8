/**
 * A timer-triggered function on its six-field NCRONTAB schedule (UTC, seconds first), run with croner.
 * Runs of one timer never overlap: a tick that finds the previous run still going is skipped (the host's
 * singleton lock does the same), and a manual run waits for the current one to finish first.
 */
import { Cron } from 'croner';
import { Timer, trigger } from '@azure/functions';
import type { TimerFunctionSpec } from '../../src/functions/registry';
import { invoke } from './invocation';
import type { HostLog } from './logger';
import { sendQueueOutputs } from './outputBindings';
import type { QueueClients } from './queueClients';
import type { MessageEncoding } from './queueMessageCodec';

export interface TimerRunnerDeps {
  queues: QueueClients;
  encoding: MessageEncoding;
  log: HostLog;
}

/** A tick later than this after its scheduled time counts as past due. */
const PAST_DUE_TOLERANCE_MS = 1000;

export class TimerRunner {
  private readonly cron: Cron;
  private current: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly spec: TimerFunctionSpec,
    private readonly deps: TimerRunnerDeps,
  ) {
    this.cron = new Cron(spec.schedule, { timezone: 'UTC', mode: '6-part', paused: true }, (job: Cron) => {
      const scheduled = job.currentRun() ?? new Date();
      if (this.current) {
        deps.log('warning', spec.name, `Skipping the ${scheduled.toISOString()} run: the previous run is still going`);
        return;
      }
      void this.run('Timer fired', Date.now() - scheduled.getTime() > PAST_DUE_TOLERANCE_MS);
    });
  }

  start(): void {
    this.cron.resume();
    const next = this.cron.nextRun();
    this.deps.log('information', 'host', `${this.spec.name}: timer '${this.spec.schedule}' (UTC), next run ${next?.toISOString() ?? 'never'}`);
  }

  /** Runs the function now, after any run in progress; resolves when it and its outputs are done. */
  async run(reason: string, isPastDue = false): Promise<void> {
    while (this.current) await this.current;
    if (this.stopped) return;
    const running = this.execute(reason, isPastDue);
    this.current = running;
    try {
      await running;
    } finally {
      if (this.current === running) this.current = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cron.stop();
    while (this.current) await this.current;
  }

  private async execute(reason: string, isPastDue: boolean): Promise<void> {
    const { spec, deps } = this;
    const now = new Date();
    const timer: Timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (this.cron.previousRuns(1, now)[0] ?? now).toISOString(),
        next: (this.cron.nextRun(now) ?? now).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    const outcome = await invoke(
      {
        functionName: spec.name,
        reason,
        trigger: trigger.timer({ schedule: spec.schedule, runOnStartup: spec.runOnStartup }),
        extraOutputs: spec.extraOutputs,
        log: deps.log,
      },
      (context) => spec.handler(timer, context),
    );
    if (!outcome.succeeded) return;
    try {
      await sendQueueOutputs(outcome.context, spec.extraOutputs, deps.queues, deps.encoding);
    } catch (error) {
      deps.log('error', spec.name, `Sending queue output failed: ${(error as Error).message}`);
    }
  }
}
