/**
 * Timer: once a day, delete link audit rows older than LINK_AUDIT_RETENTION_DAYS (0 keeps them for ever).
 * Logic: src/storage/linkAuditRepository.ts.
 */
import { InvocationContext, Timer } from '@azure/functions';
import { getRuntime } from '../app/runtime';
import { registerTimer } from './registry';

export async function purgeLinkAudit(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = getRuntime();
  const days = runtime.config.linkAuditRetentionDays;
  if (days === 0) return;
  await runtime.ensureReady();
  const deleted = await runtime.linkAudit.purgeOlderThan(runtime.now(), days);
  context.log(`Link audit: deleted ${deleted} row(s) older than ${days} day(s)`);
}

export const purgeLinkAuditFunction = registerTimer({
  name: 'purgeLinkAudit',
  // 03:17 UTC daily: off the hour, away from the export planner's ticks.
  schedule: '0 17 3 * * *',
  runOnStartup: false,
  extraOutputs: [],
  handler: purgeLinkAudit,
});
