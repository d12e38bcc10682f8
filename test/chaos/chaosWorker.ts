/**
 * One delivery of a job message to the real worker (`runExportJob`), the way a Functions instance runs it, with
 * the chaos around it: storage clients that fail and kill at every call (storageFaults.ts), kills at the
 * session's named points, stalls past the lease (stalls.ts), and the simulated clock moved on by every page.
 * Both queue drivers (memory and Azurite) hand their deliveries here.
 */
import type { AppConfig } from '../../src/config';
import { buildRuntime, type Runtime } from '../../src/app/runtime';
import type { FaultPoint } from '../../src/export/exportSession';
import type { JobMessage } from '../../src/export/job';
import type { Logger } from '../../src/export/logger';
import { RetryLaterError, runExportJob, WorkerKilledError } from '../../src/export/worker';
import type { GraphClient } from '../../src/graph/graphClient';
import { gatedStorage, Stalls } from './stalls';
import { Invocation, StorageFaults } from './storageFaults';

export const FAULT_POINTS: readonly FaultPoint[] = ['afterPage', 'afterStage', 'afterCheckpoint', 'beforeCommit', 'afterCommit', 'afterManifest'];

export interface Delivery {
  body: unknown;
  dequeueCount: number;
  maxDequeueCount: number;
}

/** completed: the message is deleted and `messages` sent; failed: the host retries it; died: nothing is settled. */
export type DeliveryOutcome = { kind: 'completed'; messages: JobMessage[] } | { kind: 'failed'; error: unknown } | { kind: 'died' };

export interface WorkerChaosSettings {
  killRates: Record<FaultPoint, number>;
  stallRate: number;
  pageClockMs: number;
}

export interface WorkerCounters {
  invocations: number;
  killsByPoint: Record<FaultPoint, number>;
  passesByPoint: Record<FaultPoint, number>;
  /** Kills at storage calls (storage fault kinds killBefore/killAfter), by operation. */
  storageKills: number;
  continuations: number;
  leaseLost: number;
  skippedDeliveries: number;
  /** Deliveries that began while another invocation of the same job was still running. */
  overlapping: number;
  /** Errors other than kills and Graph retries (injected storage faults included). */
  workerErrors: number;
  /** The first few errors that were not injected: what the product itself threw. */
  errorSamples: string[];
}

export interface WorkerContext {
  base: Runtime;
  config: AppConfig;
  graph: GraphClient;
  clock: { now: number };
  random: () => number;
  storageFaults: StorageFaults;
  settings: WorkerChaosSettings;
  log: Logger;
  /** Sends a second delivery of a message (a stalled worker's message handed to another instance). */
  redeliver: (message: JobMessage) => Promise<void>;
}

const HISTORY_KEPT = 8;

export class ChaosWorker {
  readonly counters: WorkerCounters = {
    invocations: 0,
    killsByPoint: zeroByPoint(),
    passesByPoint: zeroByPoint(),
    storageKills: 0,
    continuations: 0,
    leaseLost: 0,
    skippedDeliveries: 0,
    overlapping: 0,
    workerErrors: 0,
    errorSamples: [],
  };
  private readonly stalls = new Stalls();
  private readonly running = new Map<string, number>();
  /** The last invocations of each job, oldest first: why a job that never finished did not (chaosRun's report). */
  private readonly history = new Map<string, string[]>();

  /** What the last invocations of a job ended with (clock time, outcome). */
  lastOutcomes(jobId: string): string[] {
    return this.history.get(jobId) ?? [];
  }

  private note(jobId: string, outcome: string): void {
    const list = this.history.get(jobId) ?? [];
    list.push(`${new Date(this.ctx.clock.now).toISOString().slice(11, 19)} ${outcome}`);
    if (list.length > HISTORY_KEPT) list.shift();
    this.history.set(jobId, list);
  }

  constructor(private readonly ctx: WorkerContext) {}

  get stallsStarted(): number {
    return this.stalls.started;
  }

  async deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { ctx, counters } = this;
    const body = delivery.body as Partial<JobMessage>;
    const jobId = typeof body?.jobId === 'string' ? body.jobId : '';
    const invocation = new Invocation(`chaos-${++counters.invocations}`);
    const active = this.running.get(jobId) ?? 0;
    if (active > 0) counters.overlapping++;
    this.running.set(jobId, active + 1);

    let stalled: Promise<void> | undefined;
    let everStalled = false;
    const gate = async (): Promise<boolean> => {
      if (!stalled) return everStalled;
      await stalled;
      stalled = undefined;
      return true;
    };
    const runtime = buildRuntime(ctx.config, { storage: ctx.storageFaults.forInvocation(ctx.base.storage, invocation), graph: ctx.graph, now: () => new Date(ctx.clock.now) });
    const storage = gatedStorage(runtime.jobs, runtime.container, gate, () => this.stalls.otherWrote(jobId));
    const faultPoint = (point: FaultPoint): void => {
      invocation.assertAlive(point);
      counters.passesByPoint[point]++;
      if (point === 'afterPage') ctx.clock.now += ctx.settings.pageClockMs;
      if (ctx.random() < ctx.settings.killRates[point]) {
        counters.killsByPoint[point]++;
        invocation.kill(point);
      }
      if ((point === 'afterPage' || point === 'afterStage') && !everStalled && !this.stalls.isPending(jobId) && ctx.random() < ctx.settings.stallRate) {
        everStalled = true;
        ctx.clock.now += (ctx.config.worker.leaseSeconds + 60) * 1000;
        stalled = this.stalls.start(jobId);
        void ctx.redeliver({ jobId, continuation: body.continuation ?? 0 }).catch(() => undefined);
      }
    };
    try {
      const result = await runExportJob(
        { message: delivery.body, invocationId: invocation.id, dequeueCount: delivery.dequeueCount, maxDequeueCount: delivery.maxDequeueCount },
        { ...runtime, ...storage, log: ctx.log, faultPoint },
      );
      // A process that died cannot report success or send messages, whatever the code after the kill did.
      if (invocation.dead) return this.died(invocation, jobId);
      this.note(jobId, result.outcome === 'skipped' ? `skipped (${result.reason})` : result.outcome);
      if (result.outcome === 'continued') counters.continuations++;
      if (result.outcome === 'skipped' && result.reason === 'lease lost') counters.leaseLost++;
      else if (result.outcome === 'skipped') counters.skippedDeliveries++;
      return { kind: 'completed', messages: result.messages };
    } catch (error) {
      if (invocation.dead || error instanceof WorkerKilledError) return this.died(invocation, jobId);
      this.note(jobId, `error: ${String(error).slice(0, 160)}`);
      if (!(error instanceof RetryLaterError)) {
        counters.workerErrors++;
        const text = String(error);
        if (!text.includes('Injected fault') && counters.errorSamples.length < 10) counters.errorSamples.push(`${jobId}: ${text.slice(0, 300)}`);
      }
      return { kind: 'failed', error };
    } finally {
      this.running.set(jobId, (this.running.get(jobId) ?? 1) - 1);
      if (!everStalled) this.stalls.release(jobId);
    }
  }

  private died(invocation: Invocation, jobId: string): DeliveryOutcome {
    this.note(jobId, `killed at ${invocation.killedAt ?? 'a storage call'}`);
    if (!invocation.killedAt || !(FAULT_POINTS as readonly string[]).includes(invocation.killedAt)) this.counters.storageKills++;
    return { kind: 'died' };
  }
}

export function zeroByPoint(): Record<FaultPoint, number> {
  return Object.fromEntries(FAULT_POINTS.map((p) => [p, 0])) as Record<FaultPoint, number>;
}
