/**
 * Creates the container, tables and queues the app needs if they are missing. Safe to run from several
 * instances at once: "already exists" is success, and a resource that is still being deleted (409
 * `...BeingDeleted`, which lasts up to a minute in Azure) is retried until it can be created again.
 * In Azure the template creates all of them and the app's roles are scoped to each one (infra/app/rbac.bicep), which
 * may not include creating it: a 403 there means "not ours to create", and the first real use reports one missing.
 */
import type { StorageClients } from './clients';
import { errorCodeOf, isConflict, statusCodeOf } from './tableErrors';

export interface EnsureStorageOptions {
  /** How long to keep retrying a resource that is being deleted. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function ensureStorage(
  clients: StorageClients,
  names: { container: string; tables: string[]; queues: string[] },
  options: EnsureStorageOptions = {},
): Promise<void> {
  const retry = <T>(what: string, create: () => Promise<T>) => createRetryingWhileBeingDeleted(what, create, options);
  await Promise.all([
    retry(`container ${names.container}`, () => clients.blobService.getContainerClient(names.container).createIfNotExists()),
    ...names.tables.map((table) => retry(`table ${table}`, () => clients.table(table).createTable())),
    ...names.queues.map((queue) => retry(`queue ${queue}`, () => clients.queueService.getQueueClient(queue).createIfNotExists())),
  ]);
}

async function createRetryingWhileBeingDeleted<T>(what: string, create: () => Promise<T>, options: EnsureStorageOptions): Promise<void> {
  const maxWaitMs = options.maxWaitMs ?? 90_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let waited = 0;
  for (;;) {
    try {
      await create();
      return;
    } catch (error) {
      if (statusCodeOf(error) === 403) return;
      if (!isConflict(error)) throw error;
      const code = errorCodeOf(error) ?? '';
      if (/AlreadyExists/i.test(code)) return;
      if (!/BeingDeleted/i.test(code) || waited >= maxWaitMs) {
        throw new Error(`Could not create ${what}: ${code || 'conflict'} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      await sleep(2000);
      waited += 2000;
    }
  }
}
