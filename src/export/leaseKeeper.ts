/**
 * Keeps a job's lease alive through one long call (a Graph page with all its retries and Retry-After waits can take
 * longer than the lease): the lease is renewed every `intervalMs` while the call runs. A refused renewal (another
 * invocation took the job over) aborts the call and is what the caller sees, so a worker never goes on writing
 * under a lease it no longer holds.
 */

/** Runs `fn` after `ms`; returns a function that cancels it. */
export type Scheduler = (fn: () => void, ms: number) => () => void;

export const realScheduler: Scheduler = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

export async function withLeaseRenewal<T>(
  call: (signal: AbortSignal) => Promise<T>,
  renew: () => Promise<void>,
  intervalMs: number,
  schedule: Scheduler = realScheduler,
): Promise<T> {
  const controller = new AbortController();
  let renewal: Promise<void> = Promise.resolve();
  let refused: { error: unknown } | undefined;
  let settled = false;
  let cancel: () => void = () => undefined;
  const arm = (): void => {
    cancel = schedule(() => {
      renewal = renew().then(
        () => {
          if (!settled) arm();
        },
        (error: unknown) => {
          refused = { error };
          controller.abort(error);
        },
      );
    }, intervalMs);
  };
  arm();
  try {
    const result = await call(controller.signal);
    settled = true;
    cancel();
    await renewal;
    if (refused) throw refused.error;
    return result;
  } catch (error) {
    settled = true;
    cancel();
    await renewal;
    throw refused ? refused.error : error;
  }
}
