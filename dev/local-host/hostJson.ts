/**
 * The parts of host.json the local host honours, parsed the way the Functions host reads them: queue
 * settings with the WebJobs defaults for anything left out, TimeSpan strings ("hh:mm:ss") as milliseconds,
 * and the HTTP route prefix.
 */
import { readFileSync } from 'node:fs';

export interface QueueHostSettings {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** Delay before a failed message becomes visible again. */
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostSettings {
  queues: QueueHostSettings;
  /** Without slashes; empty when functions sit at the root. */
  routePrefix: string;
}

/** The service returns at most 32 messages per receive. */
export const MAX_QUEUE_BATCH = 32;
/** The extension never polls faster than this (QueuePollingIntervals.Minimum). */
export const MIN_POLLING_INTERVAL_MS = 100;

export class HostJsonError extends Error {
  constructor(setting: string, message: string) {
    super(`host.json ${setting}: ${message}`);
    this.name = 'HostJsonError';
  }
}

export function readHostSettings(path: string, processorCount = 1): HostSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HostJsonError(path, `cannot be read as JSON (${(error as Error).message})`);
  }
  return parseHostSettings(raw, processorCount);
}

export function parseHostSettings(raw: unknown, processorCount = 1): HostSettings {
  const extensions = objectAt(raw, 'extensions');
  const queues = objectAt(extensions, 'queues');
  const http = objectAt(extensions, 'http');

  const batchSize = integerAt(queues, 'batchSize', 16, 1, MAX_QUEUE_BATCH);
  const defaultThreshold = Math.floor(batchSize / 2) * processorCount;
  const encoding = queues.messageEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new HostJsonError('extensions.queues.messageEncoding', `must be "base64" or "none", not ${JSON.stringify(encoding)}`);
  }
  const prefix = http.routePrefix ?? 'api';
  if (typeof prefix !== 'string') throw new HostJsonError('extensions.http.routePrefix', 'must be a string');
  return {
    queues: {
      batchSize,
      newBatchThreshold: integerAt(queues, 'newBatchThreshold', defaultThreshold, 0, 1000),
      maxDequeueCount: integerAt(queues, 'maxDequeueCount', 5, 1, 1000),
      visibilityTimeoutMs: timeSpanAt(queues, 'visibilityTimeout', 0),
      maxPollingIntervalMs: Math.max(MIN_POLLING_INTERVAL_MS, timeSpanAt(queues, 'maxPollingInterval', 60_000)),
      messageEncoding: encoding,
    },
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
  };
}

/** .NET TimeSpan text: `[d.]hh:mm:ss[.fffffff]`. */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + ms;
}

function objectAt(parent: unknown, key: string): Record<string, unknown> {
  if (typeof parent !== 'object' || parent === null) return {};
  const value = (parent as Record<string, unknown>)[key];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function integerAt(section: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const value = section[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HostJsonError(`extensions.queues.${key}`, `must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function timeSpanAt(section: Record<string, unknown>, key: string, fallbackMs: number): number {
  const value = section[key];
  if (value === undefined) return fallbackMs;
  const ms = typeof value === 'string' ? parseTimeSpan(value) : undefined;
  if (ms === undefined) throw new HostJsonError(`extensions.queues.${key}`, `must be a TimeSpan such as "00:00:30", not ${JSON.stringify(value)}`);
  return ms;
}
