/** Timer: plan export windows for every enabled stream and re-queue stale jobs. Logic: src/export/planner.ts. */
import { InvocationContext, Timer } from '@azure/functions';
import { getConfig, getRuntime } from '../app/runtime';
import { planExports } from '../export/planner';
import { contextLogger } from './contextLogger';
import { jobsQueueOutput, registerTimer } from './registry';

export async function scheduleExports(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = getRuntime();
  await runtime.ensureReady();
  const result = await planExports({ ...runtime, log: contextLogger(context) });
  // The messages go out even when a step failed (throwing would drop them); the failures are logged as errors.
  context.extraOutputs.set(jobsQueueOutput, result.messages);
  if (result.failures.length) context.error(`PlannerStepsFailed steps=${result.failures.length} (retried next run): ${result.failures.join('; ').slice(0, 2000)}`);
  context.log(`Queued ${result.messages.length} export job message(s); ${result.requeued} re-queued; ${result.retried} failed job(s) retried; ${result.lost} window(s) lost to retention; ${result.atRisk} at risk; paused: ${result.paused.join(', ') || 'none'}`);
}

export const scheduleExportsFunction = registerTimer({
  name: 'scheduleExports',
  schedule: getConfig().schedule,
  runOnStartup: false,
  extraOutputs: [jobsQueueOutput],
  handler: scheduleExports,
});
