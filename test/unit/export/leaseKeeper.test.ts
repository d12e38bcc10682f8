import { Scheduler, withLeaseRenewal } from '../../../src/export/leaseKeeper';

/** A scheduler the test fires by hand: no timing involved. */
function manualScheduler(): { schedule: Scheduler; fire(): void; pending(): number } {
  const timers: Array<() => void> = [];
  return {
    schedule: (fn) => {
      timers.push(fn);
      return () => {
        const i = timers.indexOf(fn);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    fire: () => timers.shift()?.(),
    pending: () => timers.length,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('withLeaseRenewal', () => {
  it('renews the lease while a long call runs, and stops when it ends', async () => {
    const timers = manualScheduler();
    let renewals = 0;
    let finish!: (v: string) => void;
    const done = withLeaseRenewal(() => new Promise<string>((r) => (finish = r)), async () => void renewals++, 1000, timers.schedule);
    for (let i = 0; i < 3; i++) {
      timers.fire();
      await tick();
    }
    expect(renewals).toBe(3);
    finish('page');
    await expect(done).resolves.toBe('page');
    expect(timers.pending()).toBe(0);
  });

  it('a refused renewal aborts the call and is the error the caller sees', async () => {
    const timers = manualScheduler();
    const lost = new Error('lease lost');
    let aborted = false;
    const done = withLeaseRenewal(
      (signal) =>
        new Promise<string>((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
      async () => {
        throw lost;
      },
      1000,
      timers.schedule,
    );
    timers.fire();
    await expect(done).rejects.toBe(lost);
    expect(aborted).toBe(true);
  });

  it('a call that fails on its own keeps its error', async () => {
    const timers = manualScheduler();
    const failure = new Error('Graph unavailable');
    await expect(withLeaseRenewal(async () => Promise.reject(failure), async () => undefined, 1000, timers.schedule)).rejects.toBe(failure);
    expect(timers.pending()).toBe(0);
  });
});
