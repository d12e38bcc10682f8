/**
 * The local Functions host: runs the registered function definitions (src/functions/registry.ts) against
 * Azurite the way the Azure Functions host would: timers on their NCRONTAB schedule, queue triggers with
 * host.json's batching, retries and poison queue, queue output bindings, and HTTP routes under the host.json
 * route prefix. A development tool only; production runs on the Azure Functions host.
 */
import { join } from 'node:path';
import { freePort } from '../azurite';
import type { FunctionSpec, HttpFunctionSpec, QueueFunctionSpec, TimerFunctionSpec } from '../../src/functions/registry';
import { readHostSettings } from './hostJson';
import { startHttpServer, RunningHttpServer } from './httpServer';
import { consoleHostLog, HostLog } from './logger';
import { QueueClients } from './queueClients';
import { QueueListener } from './queueListener';
import { TimerRunner } from './timerRunner';

export { consoleHostLog, silentHostLog, type HostLog } from './logger';
export { hideTestModeWarnings, withoutTestModeWarnings } from './testModeWarnings';
export { poisonQueueName } from './queueListener';

export const DEFAULT_HTTP_PORT = 7071;

export interface LocalHostOptions {
  specs: readonly FunctionSpec[];
  /** Storage for every queue trigger and output binding (Azurite). */
  storageConnectionString: string;
  /** Defaults to the repository's host.json. */
  hostJsonPath?: string;
  /** Preferred HTTP port (default 7071); a taken port is replaced by a free one. 0 picks any free port. */
  httpPort?: number;
  /** Interface to listen on (default 127.0.0.1). */
  httpHost?: string;
  /** Run every timer once at start, as if each had runOnStartup. */
  runTimersAtStart?: boolean;
  log?: HostLog;
  /** How long a message being processed stays invisible between renewals (default 60 s). */
  messageLeaseSeconds?: number;
}

export interface LocalHost {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:7071 (routes live under /api). */
  httpUrl: string;
  /** Stops timers and polling, waits for running invocations, closes the HTTP server. */
  stop(): Promise<void>;
  /** Resolves once every triggered queue is empty and no message is in flight (retries included). */
  drainQueues(options?: { timeoutMs?: number }): Promise<void>;
  /** Runs a timer function now (after its current run, if any) and resolves when it and its outputs are done. */
  runTimer(name: string): Promise<void>;
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const log = options.log ?? consoleHostLog;
  const settings = readHostSettings(options.hostJsonPath ?? join(__dirname, '..', '..', 'host.json'));
  const queues = new QueueClients(options.storageConnectionString);
  const encoding = settings.queues.messageEncoding;

  const timers = options.specs
    .filter((s): s is TimerFunctionSpec => s.kind === 'timer')
    .map((spec) => new TimerRunner(spec, { queues, encoding, log }));
  const listeners = options.specs
    .filter((s): s is QueueFunctionSpec => s.kind === 'queue')
    .map((spec) => new QueueListener(spec, { queues, settings: settings.queues, log, messageLeaseSeconds: options.messageLeaseSeconds }));
  const httpSpecs = options.specs.filter((s): s is HttpFunctionSpec => s.kind === 'http');

  await Promise.all(listeners.map((listener) => listener.start()));
  const preferredPort = options.httpPort ?? DEFAULT_HTTP_PORT;
  const port = await freePort(preferredPort === 0 ? undefined : preferredPort);
  if (preferredPort !== 0 && port !== preferredPort) {
    log('warning', 'host', `Port ${preferredPort} is in use; serving HTTP on port ${port} instead`);
  }
  const httpHost = options.httpHost ?? '127.0.0.1';
  let server: RunningHttpServer;
  try {
    server = await startHttpServer({ specs: httpSpecs, routePrefix: settings.routePrefix, port, host: httpHost, log, queues, encoding });
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.stop()));
    throw error;
  }
  for (const timer of timers) timer.start();
  for (const timer of timers) {
    if (options.runTimersAtStart || timer.spec.runOnStartup) void timer.run('Timer fired at start-up');
  }
  log('information', 'host', `Host started: ${timers.length} timer, ${listeners.length} queue, ${httpSpecs.length} HTTP function(s)`);

  let stopping: Promise<void> | undefined;
  return {
    httpUrl: `http://${httpHost === '0.0.0.0' ? '127.0.0.1' : httpHost}:${server.port}`,
    stop() {
      stopping ??= (async () => {
        await Promise.all(timers.map((timer) => timer.stop()));
        await server.close();
        await Promise.all(listeners.map((listener) => listener.stop()));
        log('information', 'host', 'Host stopped');
      })();
      return stopping;
    },
    async drainQueues(drainOptions = {}) {
      const deadline = Date.now() + (drainOptions.timeoutMs ?? 60_000);
      for (;;) {
        for (const listener of listeners) listener.wake();
        if (listeners.every((listener) => listener.isIdle())) {
          const counts = await Promise.all(
            listeners.map(async (l) => (await (await queues.get(l.spec.queueName)).getProperties()).approximateMessagesCount ?? 0),
          );
          if (counts.every((count) => count === 0) && listeners.every((listener) => listener.isIdle())) return;
        }
        if (Date.now() > deadline) {
          throw new Error(`Queues not drained in time: ${listeners.map((l) => l.spec.queueName).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async runTimer(name) {
      const timer = timers.find((t) => t.spec.name === name);
      if (!timer) throw new Error(`No timer function named "${name}" (timers: ${timers.map((t) => t.spec.name).join(', ') || 'none'})`);
      await timer.run('This function was programmatically called via the host APIs.');
    },
  };
}
