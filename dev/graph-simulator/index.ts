/**
 * Microsoft Graph reporting-API simulator: `GET /{v1.0|beta}/auditLogs/{directoryAudits|signIns|provisioning}`
 * with Graph's paging, filters, errors, throttling, licence modes, publication delays and faults, plus
 * ground truth for completeness checks. See docs/simulator.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { instantFromMs } from '../../src/time/instant';
import { FaultInjector } from './faults';
import { loadFixtures } from './fixtures';
import { groundTruthIds, visibleRecords, type GroundTruthQuery } from './groundTruth';
import {
  defaultRealisticVolume, resolveBursts, resolveFaults, resolveLatency, resolveOptions, resolvePublication, resolveTenant, type SimulatorOptions,
} from './options';
import { recordFactory } from './records';
import { seedHash } from './random';
import { currentStats, handleRequest, resetStats, type SimulatorState } from './server';
import { emptyStats, type SimulatorStats } from './stats';
import { ArrivalCounter } from './arrivals';
import { LoopWatch } from './loopWatch';
import { SlidingWindowThrottle } from './throttle';
import { Timeline } from './timeline';

export { makeSimulatorToken } from './auth';
export { defaultRealisticVolume };
export type { SimulatorOptions, GroundTruthQuery, SimulatorStats };

export interface SimulatorHandle {
  url: string;
  groundTruthIds(q: GroundTruthQuery): string[];
  expectedRecords(q: GroundTruthQuery): Iterable<Record<string, unknown>>;
  stats(): SimulatorStats;
  resetStats(): void;
  update(patch: Pick<SimulatorOptions, 'tenant' | 'faults' | 'throttle' | 'latency' | 'publication' | 'bursts'>): void;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const resolved = resolveOptions(options);
  const fixtures = loadFixtures(resolved.fixtures);
  const timeline = new Timeline(resolved, fixtures);
  const dataStart = instantFromMs(resolved.dataStartMs);
  let url = '';
  const state: SimulatorState = {
    options: resolved,
    timeline,
    factory: recordFactory(seedHash(resolved.seed), () => resolved.tenant.id),
    throttle: new SlidingWindowThrottle(resolved.throttle, resolved.timeScale),
    arrivals: new ArrivalCounter(resolved.throttle, resolved.timeScale),
    faults: new FaultInjector(resolved.faults),
    stats: emptyStats(),
    loopWatch: new LoopWatch(),
    earliestTicks: fixtures.earliestTicks !== undefined && fixtures.earliestTicks < dataStart ? fixtures.earliestTicks : dataStart,
    baseUrl: () => url,
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void handleRequest(state, req, res);
  };
  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `${options.tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    groundTruthIds: (q) => groundTruthIds(q, timeline, state.factory, resolved.now()),
    expectedRecords: (q) => ({ [Symbol.iterator]: () => visibleRecords(q, timeline, state.factory, resolved.now()) }),
    stats: () => structuredClone(currentStats(state)),
    resetStats: () => resetStats(state),
    update(patch) {
      if (patch.tenant) resolved.tenant = resolveTenant(patch.tenant, resolved.tenant);
      if (patch.faults) {
        resolved.faults = resolveFaults({ ...resolved.faults, ...patch.faults }, resolved.seed);
        state.faults.configure(resolved.faults);
      }
      if (patch.throttle !== undefined) {
        resolved.throttle = patch.throttle;
        state.throttle.configure(patch.throttle);
        state.arrivals.configure(patch.throttle);
      }
      if (patch.latency) resolved.latency = resolveLatency(patch.latency);
      if (patch.publication) {
        resolved.publication = resolvePublication(patch.publication, resolved.publication);
        timeline.invalidate();
      }
      if (patch.bursts) {
        resolved.bursts = resolveBursts(patch.bursts, resolved.bursts);
        timeline.invalidate();
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.loopWatch.stop();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

