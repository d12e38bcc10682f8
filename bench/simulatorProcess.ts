/**
 * The Graph simulator in a process of its own (`npm run simulator`'s entry point), so that what a workload measures
 * in the benchmark's own process (RSS above all) is the exporter's alone.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface SimulatorProcess {
  url: string;
  close(): Promise<void>;
}

export async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const child = fork(join(__dirname, '..', 'dev', 'graph-simulator', 'cli.ts'), ['--port', '0', ...args], {
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
