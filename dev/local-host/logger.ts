/**
 * The local host's console output: `[time] [source] message`, where source is a function name or `host`.
 * `context.log/info/warn/error` of every invocation end up here through `invocationLogHandler`.
 */
import { format } from 'node:util';
import type { LogHandler, LogLevel } from '@azure/functions';

export type HostLog = (level: LogLevel, source: string, message: string) => void;

export const consoleHostLog: HostLog = (level, source, message) => {
  const line = `[${new Date().toISOString().slice(11, 23)}] [${source}] ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else if (level === 'trace' || level === 'debug') console.debug(line);
  else console.log(line);
};

/** A log that drops everything (tests). */
export const silentHostLog: HostLog = () => undefined;

export function invocationLogHandler(log: HostLog, functionName: string): LogHandler {
  return (level, ...args) => log(level, functionName, format(...args));
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return format(error);
}
