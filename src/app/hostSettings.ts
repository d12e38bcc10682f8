/** The host.json values the code must agree with (the queue's poison threshold). */
import hostJson from '../../host.json';

export const MAX_DEQUEUE_COUNT: number = hostJson.extensions.queues.maxDequeueCount;
export const FUNCTION_TIMEOUT: string = hostJson.functionTimeout;
