/** Counters exposed at `/_sim/stats` and through the handle. */
import type { FaultKind } from './options';

export interface SimulatorStats {
  requests: number;
  requestsByEndpoint: Record<string, number>;
  requestsByApp: Record<string, number>;
  throttled: number;
  /** Most requests (admitted or answered 429) that arrived within one throttle window for one app and tenant. */
  peakRequestsPerWindow: number;
  faults: Partial<Record<FaultKind | 'spuriousLicenceError', number>>;
  errorsByStatus: Record<string, number>;
  recordsServed: number;
  pagesServed: number;
  /**
   * The longest the simulator's event loop was held up (page generation, serialisation, garbage collection) since the
   * last reset, in ms: requests arriving meanwhile wait in their sockets and are counted, and throttled, only then.
   */
  eventLoopHeldMs?: number;
}

export function emptyStats(): SimulatorStats {
  return { requests: 0, requestsByEndpoint: {}, requestsByApp: {}, throttled: 0, peakRequestsPerWindow: 0, faults: {}, errorsByStatus: {}, recordsServed: 0, pagesServed: 0 };
}

export function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}
