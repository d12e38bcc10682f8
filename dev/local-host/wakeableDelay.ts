/** A delay that ends early when `wake()` is called (new work arrived, drain requested, shutting down). */
export class WakeableDelay {
  private pending: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  wait(ms: number): Promise<void> {
    this.wake();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, ms);
      this.pending = { timer, resolve };
    });
  }

  wake(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve();
  }
}
