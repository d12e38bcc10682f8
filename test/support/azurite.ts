/** What a test needs to reach the run's Azurite (started by globalSetup). */
import { randomBytes } from 'node:crypto';

export function azuriteConnectionString(): string {
  const value = process.env.TEST_AZURITE_CONNECTION_STRING;
  if (!value) throw new Error('Azurite is not running: run the tests with `npm test`.');
  return value;
}

export function azuriteEndpoints(): { blob: string; queue: string; table: string } {
  azuriteConnectionString();
  return {
    blob: process.env.TEST_AZURITE_BLOB_ENDPOINT as string,
    queue: process.env.TEST_AZURITE_QUEUE_ENDPOINT as string,
    table: process.env.TEST_AZURITE_TABLE_ENDPOINT as string,
  };
}

/** A name unique to one test, valid for containers, queues and tables (lowercase letters and digits). */
export function uniqueName(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[^a-z0-9]/g, '')}${randomBytes(4).toString('hex')}`;
}
