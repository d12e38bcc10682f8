/**
 * The Graph simulator in a process of its own (`npm run simulator`'s entry point), driven over HTTP through its
 * `/_sim/*` routes. Workloads that measure the exporter (its memory, how evenly its requests leave) run it this way,
 * so that the simulator's own work (it generates every page synchronously) neither stalls the exporter's event loop
 * nor counts a request later than it arrived because the simulator's event loop was busy with the exporter.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { GroundTruthQuery } from './groundTruth';
import type { SimulatorStats } from './stats';

export interface SimulatorProcess {
  url: string;
  close(): Promise<void>;
}

/** Starts `dev/graph-simulator/cli.ts` with `args` (its command-line options) on a free port. */
export async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const child = fork(join(__dirname, 'cli.ts'), ['--port', '0', ...args], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`The simulator process exited (${code}) before listening: ${output.slice(-1000)}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** What a workload reads from a simulator in another process: its counters and its ground truth. */
export interface RemoteSimulator extends SimulatorProcess {
  stats(): Promise<SimulatorStats>;
  resetStats(): Promise<void>;
  groundTruthCount(query: GroundTruthQuery): Promise<number>;
}

export async function startRemoteSimulator(args: string[]): Promise<RemoteSimulator> {
  const child = await startSimulatorProcess(args);
  const call = async (path: string, method = 'GET'): Promise<unknown> => {
    const response = await fetch(`${child.url}${path}`, { method });
    if (!response.ok) throw new Error(`Simulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    ...child,
    stats: async () => (await call('/_sim/stats')) as SimulatorStats,
    resetStats: async () => void (await call('/_sim/reset-stats', 'POST')),
    async groundTruthCount(query) {
      const params = new URLSearchParams({ stream: query.stream, start: String(query.start), end: String(query.end) });
      if (query.asOf !== undefined) params.set('asOf', String(query.asOf));
      return ((await call(`/_sim/groundTruth?${params}`)) as { count: number }).count;
    },
  };
}
