import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../export/logger';

/** Domain logs go to the invocation's log (Application Insights traces in Azure). */
export function contextLogger(context: InvocationContext): Logger {
  return {
    info: (m) => context.info(m),
    warn: (m) => context.warn(m),
    error: (m) => context.error(m),
  };
}
