/**
 * local.settings.json, read the way Core Tools reads it: its `Values` become app settings, and a variable
 * already set in the real environment wins over the file.
 */
import { existsSync, readFileSync } from 'node:fs';

export class LocalSettingsError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'LocalSettingsError';
  }
}

export interface LocalSettings {
  /** `Values`, as strings. */
  values: Record<string, string>;
  /** `Host.LocalHttpPort`, the port Core Tools serves HTTP functions on. */
  localHttpPort?: number;
}

/** The file's settings; empty when the file does not exist. */
export function readLocalSettings(path: string): LocalSettings {
  if (!existsSync(path)) return { values: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LocalSettingsError(path, `is not valid JSON (${(error as Error).message})`);
  }
  const file = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const host = typeof file.Host === 'object' && file.Host !== null ? (file.Host as Record<string, unknown>) : {};
  const port = host.LocalHttpPort;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new LocalSettingsError(path, '"Host.LocalHttpPort" must be a port number');
  }
  return { values: readValues(path, file.Values), localHttpPort: port };
}

function readValues(path: string, values: unknown): Record<string, string> {
  if (values === undefined) return {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new LocalSettingsError(path, '"Values" must be an object of setting names to strings');
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    result[name] = typeof value === 'string' ? value : String(value);
  }
  return result;
}

/** Copies the values the environment does not already have into it. */
export function applyLocalSettings(values: Record<string, string>, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined) env[name] = value;
  }
}
