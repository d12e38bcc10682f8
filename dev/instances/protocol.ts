/** Messages between the instance launcher (index.ts) and each instance process (workerInstance.ts), over Node IPC. */
import type { BudgetStats, SharedBudgetStats } from '../../src/graph/budget';

export type ParentMessage = { type: 'drain'; timeoutMs: number } | { type: 'stop' };

export interface InstanceReport {
  pid: number;
  budget: 'shared' | 'process';
  /** The budget's own counters: grants and waits, and for the shared budget its storage transactions. */
  budgetStats: BudgetStats & Partial<SharedBudgetStats>;
  /** Invocations of the queue function that ended in an error (retried by the queue). */
  failedInvocations: number;
  invocations: number;
  /** The process's peak resident memory, bytes. */
  maxRssBytes: number;
}

export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'drained'; report: InstanceReport }
  | { type: 'error'; message: string };
