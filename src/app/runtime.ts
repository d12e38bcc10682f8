/**
 * The composition root: builds the configuration and the real clients once per process, lazily, so function
 * files stay thin and tests can build the same pieces around Azurite and the Graph simulator.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { AppConfig, loadConfig } from '../config';
import { createGraphClient } from '../graph/graphClient';
import type { GraphClient } from '../graph/graphClient';
import { createStorageClients, StorageClients } from '../storage/clients';
import { JobRepository } from '../storage/jobRepository';
import { LinkAuditRepository } from '../storage/linkAuditRepository';
import { createLinkSigner, LinkSigner } from '../storage/links';
import { StreamRepository } from '../storage/streamRepository';
import { ensureStorage } from '../storage/ensureStorage';
import { JOBS_POISON_QUEUE_NAME, JOBS_QUEUE_NAME } from '../functions/registry';

export interface Runtime {
  config: AppConfig;
  storage: StorageClients;
  container: ContainerClient;
  jobs: JobRepository;
  streams: StreamRepository;
  linkAudit: LinkAuditRepository;
  graph: GraphClient;
  signer: LinkSigner;
  now: () => Date;
  /** Resolves once the container, tables and queues exist (created if missing, e.g. on Azurite); retried after a failure. */
  ensureReady(): Promise<void>;
}

let current: Runtime | undefined;
let config: AppConfig | undefined;

export function buildRuntime(config: AppConfig, overrides: Partial<Pick<Runtime, 'graph' | 'now' | 'storage'>> = {}): Runtime {
  const storage = overrides.storage ?? createStorageClients(config.storage);
  let ready: Promise<void> | undefined;
  const runtime: Runtime = {
    config,
    storage,
    container: storage.blobService.getContainerClient(config.exportsContainer),
    jobs: new JobRepository(storage.table(config.jobsTable)),
    streams: new StreamRepository(storage.table(config.streamsTable)),
    linkAudit: new LinkAuditRepository(storage.table(config.linkAuditTable)),
    graph: overrides.graph ?? createGraphClient(config.graph, { ledgerTable: storage.table(config.graphBudgetTable) }),
    signer: createLinkSigner(storage),
    now: overrides.now ?? (() => new Date()),
    ensureReady() {
      ready ??= ensureStorage(storage, {
        container: config.exportsContainer,
        tables: [config.jobsTable, config.streamsTable, config.linkAuditTable, config.graphBudgetTable],
        queues: [JOBS_QUEUE_NAME, JOBS_POISON_QUEUE_NAME],
      }).catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      return ready;
    },
  };
  return runtime;
}

/** The process-wide runtime, built from app settings on first use (a bad setting throws ConfigError naming it). */
export function getRuntime(): Runtime {
  current ??= buildRuntime(getConfig());
  return current;
}

/** Replaces the process-wide runtime (tests and the local host). */
export function setRuntime(runtime: Runtime | undefined): void {
  current = runtime;
  config = runtime?.config;
}

/** The validated app settings, read once; a bad setting throws ConfigError naming it (at start-up, from the function files). */
export function getConfig(): AppConfig {
  config ??= current?.config ?? loadConfig();
  return config;
}
