/**
 * Seeded fault injection: one uniform draw per data request picks at most one fault kind, so the same
 * seed and the same request sequence give the same faults.
 */
import { FAULT_KINDS, type FaultKind, type ResolvedOptions } from './options';
import { hashString, Rng } from './random';

export class FaultInjector {
  private rng: Rng;
  private licenceRng: Rng;

  constructor(private faults: ResolvedOptions['faults']) {
    this.rng = new Rng(hashString(`faults:${faults.seed}`));
    this.licenceRng = new Rng(hashString(`licence:${faults.seed}`));
  }

  configure(faults: ResolvedOptions['faults']): void {
    const reseed = faults.seed !== this.faults.seed;
    this.faults = faults;
    if (reseed) {
      this.rng = new Rng(hashString(`faults:${faults.seed}`));
      this.licenceRng = new Rng(hashString(`licence:${faults.seed}`));
    }
  }

  /** The fault for this request, if any. */
  draw(): FaultKind | undefined {
    const u = this.rng.next();
    let cumulative = 0;
    for (const kind of FAULT_KINDS) {
      cumulative += this.faults[kind];
      if (u < cumulative) return kind;
    }
    return undefined;
  }

  spuriousLicenceError(rate: number): boolean {
    return rate > 0 && this.licenceRng.next() < rate;
  }
}
