/**
 * Several instances of the function app on one machine: each a Node process of its own running the queue worker
 * (workerInstance.ts) against the same Azurite and Graph, the way Flex Consumption scales the queue trigger out.
 * The benchmark's scale-out workload and the cross-process budget test start them through here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildMessage, InstanceReport, ParentMessage } from './protocol';

export type { InstanceReport } from './protocol';

export interface InstancesOptions {
  count: number;
  /** App settings of every instance (merged over this process's environment). */
  env: Record<string, string>;
  /** How long an instance may take to start. Default 120 s (a loaded machine compiles TypeScript slowly). */
  startTimeoutMs?: number;
}

export interface Instances {
  readonly pids: number[];
  /** Every instance works the job queue until it is empty and nothing is in flight; resolves with their reports. */
  drain(timeoutMs: number): Promise<InstanceReport[]>;
  stop(): Promise<void>;
}

class InstanceProcess {
  private readonly stderr: string[] = [];
  private readonly waiters = new Set<{ type: ChildMessage['type']; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }>();
  private exited = false;

  constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr.push(chunk);
      if (this.stderr.length > 40) this.stderr.shift();
    });
    child.on('message', (message: ChildMessage) => {
      for (const waiter of [...this.waiters]) {
        if (message.type === 'error') waiter.reject(new Error(`Instance ${child.pid} failed: ${message.message}`));
        else if (message.type === waiter.type) waiter.resolve(message);
        else continue;
        this.waiters.delete(waiter);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.waiters) waiter.reject(new Error(`Instance ${child.pid} exited (${signal ?? code}) before '${waiter.type}': ${this.stderr.join('').slice(-2000)}`));
      this.waiters.clear();
    });
  }

  next<T extends ChildMessage['type']>(type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.exited) {
        reject(new Error(`Instance ${this.child.pid} has exited: ${this.stderr.join('').slice(-2000)}`));
        return;
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Instance ${this.child.pid} sent no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (message: ChildMessage) => {
          clearTimeout(timer);
          resolve(message as Extract<ChildMessage, { type: T }>);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  send(message: ParentMessage): void {
    if (!this.exited) this.child.send(message);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function startInstances(options: InstancesOptions): Promise<Instances> {
  const entry = join(__dirname, 'workerInstance.ts');
  const processes = Array.from({ length: options.count }, () => {
    const child = fork(entry, [], {
      execArgv: ['--require', require.resolve('tsx/cjs')],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    return new InstanceProcess(child);
  });
  try {
    await Promise.all(processes.map((p) => p.next('ready', options.startTimeoutMs ?? 120_000)));
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    throw error;
  }
  return {
    pids: processes.map((p) => p.child.pid ?? 0),
    async drain(timeoutMs) {
      const reports = processes.map((p) => p.next('drained', timeoutMs + 10_000));
      for (const p of processes) p.send({ type: 'drain', timeoutMs });
      return (await Promise.all(reports)).map((m) => m.report);
    },
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}
