/**
 * Faults at every storage call: the Blob, Table and Queue clients the product builds its repositories from are
 * wrapped (a Proxy per client), so every I/O method the product calls, present or future, passes through
 * `StorageFaults.call`. Each call may
 *
 * - fail before it reaches storage (`failBefore`: a 503/500/timeout, nothing changed),
 * - fail after storage applied it (`failAfter`: the response is lost; the write happened, the caller sees an error),
 * - kill the worker before it (`killBefore`) or after it (`killAfter`: the write happened, nobody saw the answer).
 *
 * A kill marks the invocation dead: every later call of that invocation throws again without touching storage,
 * so product code that catches the error cannot carry on as if the process lived. Clients are wrapped per
 * invocation (kills belong to one worker) or for the planner and the queue host (failures only).
 *
 * A promise returned by a method this file does not list is recorded in `unwrapped`: a storage call the suite
 * would not fault. The run reports it, so a new kind of call cannot slip past unnoticed.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import type { TableClient } from '@azure/data-tables';
import { RestError } from '@azure/core-rest-pipeline';
import type { StorageClients } from '../../src/storage/clients';
import { WorkerKilledError } from '../../src/export/worker';

export const STORAGE_FAULT_KINDS = ['failBefore', 'failAfter', 'killBefore', 'killAfter'] as const;
export type StorageFaultKind = (typeof STORAGE_FAULT_KINDS)[number];

type ClientKind = 'blobService' | 'container' | 'blob' | 'table' | 'queueService' | 'queue';

const IO_METHODS: Record<ClientKind, ReadonlySet<string>> = {
  blobService: new Set(['getProperties', 'setProperties', 'getStatistics', 'getAccountInfo', 'createContainer', 'deleteContainer', 'getUserDelegationKey', 'undeleteContainer']),
  container: new Set([
    'create', 'createIfNotExists', 'exists', 'delete', 'deleteIfExists', 'getProperties', 'setMetadata', 'getAccessPolicy',
    'setAccessPolicy', 'uploadBlockBlob', 'deleteBlob', 'getAccountInfo', 'submitBatch',
  ]),
  blob: new Set([
    'download', 'downloadToBuffer', 'downloadToFile', 'exists', 'getProperties', 'delete', 'deleteIfExists', 'undelete',
    'setHTTPHeaders', 'setMetadata', 'setTags', 'getTags', 'createSnapshot', 'syncCopyFromURL', 'setAccessTier',
    'abortCopyFromURL', 'upload', 'uploadData', 'uploadStream', 'uploadFile', 'stageBlock', 'stageBlockFromURL',
    'commitBlockList', 'getBlockList', 'query', 'syncUploadFromURL', 'setImmutabilityPolicy', 'deleteImmutabilityPolicy',
    'setLegalHold', 'getAccountInfo', 'beginCopyFromURL',
  ]),
  table: new Set(['createTable', 'deleteTable', 'getEntity', 'createEntity', 'updateEntity', 'upsertEntity', 'deleteEntity', 'submitTransaction', 'getAccessPolicy', 'setAccessPolicy']),
  queueService: new Set(['getProperties', 'setProperties', 'getStatistics', 'createQueue', 'deleteQueue']),
  queue: new Set([
    'create', 'createIfNotExists', 'delete', 'deleteIfExists', 'exists', 'getProperties', 'setMetadata', 'getAccessPolicy',
    'setAccessPolicy', 'clearMessages', 'sendMessage', 'receiveMessages', 'peekMessages', 'deleteMessage', 'updateMessage',
  ]),
};

/** Methods that return a paged async iterator: each page fetched is one call. */
const PAGED_METHODS: Record<ClientKind, ReadonlySet<string>> = {
  blobService: new Set(['listContainers', 'findBlobsByTags']),
  container: new Set(['listBlobsFlat', 'listBlobsByHierarchy', 'findBlobsByTags']),
  blob: new Set(),
  table: new Set(['listEntities']),
  queueService: new Set(['listQueues']),
  queue: new Set(),
};

/** Methods that return another client. */
const FACTORIES: Record<ClientKind, Readonly<Record<string, ClientKind>>> = {
  blobService: { getContainerClient: 'container' },
  container: { getBlobClient: 'blob', getBlockBlobClient: 'blob', getAppendBlobClient: 'blob', getPageBlobClient: 'blob' },
  blob: { getBlockBlobClient: 'blob', getAppendBlobClient: 'blob', getPageBlobClient: 'blob', withSnapshot: 'blob', withVersion: 'blob' },
  table: {},
  queueService: { getQueueClient: 'queue' },
  queue: {},
};

/** Promise-returning methods that sign locally and never reach storage. */
const LOCAL_ASYNC = new Set(['generateSasUrl', 'generateUserDelegationSasUrl', 'generateSasStringToSign']);

export interface StorageFaultRates {
  /** Chance that a call fails (half before it reaches storage, half after storage applied it). */
  fail: number;
  /** Chance that the worker dies at a call (half before it, half after it); only for worker invocations. */
  kill: number;
}

export interface StorageFaultStats {
  calls: Record<string, number>;
  faults: Record<string, Record<StorageFaultKind, number>>;
  /** Async methods that reached storage unfaulted (method names): should stay empty. */
  unwrapped: string[];
}

/** One worker invocation: killed once, dead for good. */
export class Invocation {
  dead = false;
  killedAt?: string;

  constructor(readonly id: string) {}

  /** The process dies here: nothing after this reaches storage. */
  kill(point: string): never {
    this.dead = true;
    this.killedAt ??= point;
    throw new WorkerKilledError(point);
  }

  assertAlive(op: string): void {
    if (this.dead) throw new WorkerKilledError(`${this.killedAt} (then ${op})`);
  }
}

export class StorageFaults {
  readonly stats: StorageFaultStats = { calls: {}, faults: {}, unwrapped: [] };
  private readonly untilFirst = new Map<string, number>();

  /**
   * @param forceAfter A fault kind an operation has not met yet is forced on its `forceAfter`-th call, so a short
   *   run still fails and kills at every operation the product performs often enough (0: never forced).
   */
  constructor(
    private readonly rates: StorageFaultRates,
    private readonly random: () => number,
    private readonly label: (kind: ClientKind, method: string, client: unknown) => string = (kind, method) => `${kind}.${method}`,
    private readonly forceAfter = 0,
  ) {}

  /** The storage clients one worker invocation uses: failures and kills. */
  forInvocation(base: StorageClients, invocation: Invocation): StorageClients {
    return this.wrapClients(base, invocation);
  }

  /** Clients for the planner or the queue host: failures only (their death is a failed invocation or a lost settle). */
  forHost(base: StorageClients): StorageClients {
    return this.wrapClients(base, undefined);
  }

  /** The queue service alone (the local host's queue listener builds its queue clients from it). */
  queueService(base: QueueServiceClient): QueueServiceClient {
    return this.wrap(base, 'queueService', undefined);
  }

  /** Operations that were called, with how often each fault kind hit them. */
  coverage(): Array<{ op: string; calls: number } & Record<StorageFaultKind, number>> {
    return Object.entries(this.stats.calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, calls]) => ({ op, calls, ...(this.stats.faults[op] ?? zeroKinds()) }));
  }

  total(kind?: StorageFaultKind): number {
    return Object.values(this.stats.faults).reduce((sum, byKind) => sum + (kind ? byKind[kind] : STORAGE_FAULT_KINDS.reduce((s, k) => s + byKind[k], 0)), 0);
  }

  totalCalls(): number {
    return Object.values(this.stats.calls).reduce((a, b) => a + b, 0);
  }

  private wrapClients(base: StorageClients, invocation: Invocation | undefined): StorageClients {
    const tables = new Map<string, TableClient>();
    return {
      ...base,
      blobService: this.wrap<BlobServiceClient>(base.blobService, 'blobService', invocation),
      queueService: this.wrap<QueueServiceClient>(base.queueService, 'queueService', invocation),
      table: (name: string) => {
        let table = tables.get(name);
        if (!table) tables.set(name, (table = this.wrap<TableClient>(base.table(name), 'table', invocation)));
        return table;
      },
    };
  }

  private wrap<T extends object>(client: T, kind: ClientKind, invocation: Invocation | undefined): T {
    return new Proxy(client, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const method = value as (...args: unknown[]) => unknown;
        const factory = FACTORIES[kind][prop];
        if (factory) return (...args: unknown[]) => this.wrap(method.apply(target, args) as object, factory, invocation);
        const op = (): string => this.label(kind, prop, target);
        if (IO_METHODS[kind].has(prop)) return (...args: unknown[]) => this.call(op(), invocation, () => method.apply(target, args) as Promise<unknown>);
        if (PAGED_METHODS[kind].has(prop)) return (...args: unknown[]) => this.paged(op(), invocation, method.apply(target, args) as PagedIterator);
        return (...args: unknown[]) => {
          const result = method.apply(target, args);
          if (isThenable(result) && !LOCAL_ASYNC.has(prop) && !this.stats.unwrapped.includes(op())) this.stats.unwrapped.push(op());
          return result;
        };
      },
    });
  }

  /** One storage call with its faults. */
  async call<R>(op: string, invocation: Invocation | undefined, run: () => Promise<R>): Promise<R> {
    invocation?.assertAlive(op);
    this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
    const fault = this.draw(op, invocation !== undefined);
    if (fault === 'killBefore') this.fire(op, fault, invocation);
    if (fault === 'failBefore') this.fire(op, fault, invocation);
    const result = await run();
    if (fault === 'killAfter' || fault === 'failAfter') this.fire(op, fault, invocation);
    return result;
  }

  private paged(op: string, invocation: Invocation | undefined, list: PagedIterator): PagedIterator {
    // Entities are fetched a page at a time: iterate pages through `call` and hand out their items.
    const items = async function* (faults: StorageFaults): AsyncGenerator<unknown> {
      const pages = list.byPage();
      for (;;) {
        const page = await faults.call(op, invocation, () => pages.next());
        if (page.done) return;
        yield* page.value as unknown[];
      }
    };
    const iterator = items(this);
    return {
      next: () => iterator.next(),
      [Symbol.asyncIterator]() {
        return this;
      },
      byPage: (settings?: unknown) => {
        const pages = list.byPage(settings);
        const wrapped: AsyncIterableIterator<unknown> = {
          next: () => this.call(op, invocation, () => pages.next()),
          [Symbol.asyncIterator]() {
            return wrapped;
          },
        };
        return wrapped;
      },
    };
  }

  private draw(op: string, canKill: boolean): StorageFaultKind | undefined {
    const kinds = STORAGE_FAULT_KINDS.filter((k) => canKill || !k.startsWith('kill'));
    if (this.forceAfter > 0) {
      for (const kind of kinds) {
        const byKind = this.stats.faults[op];
        if (byKind && byKind[kind] > 0) continue;
        const key = `${op}|${kind}`;
        const waited = (this.untilFirst.get(key) ?? 0) + 1;
        this.untilFirst.set(key, waited);
        if (waited >= this.forceAfter) return kind;
      }
    }
    const u = this.random();
    if (u < this.rates.fail / 2) return 'failBefore';
    if (u < this.rates.fail) return 'failAfter';
    if (!canKill) return undefined;
    if (u < this.rates.fail + this.rates.kill / 2) return 'killBefore';
    if (u < this.rates.fail + this.rates.kill) return 'killAfter';
    return undefined;
  }

  private fire(op: string, kind: StorageFaultKind, invocation: Invocation | undefined): never {
    const byKind = (this.stats.faults[op] ??= zeroKinds());
    byKind[kind]++;
    if (kind === 'killBefore' || kind === 'killAfter') {
      if (!invocation) throw new Error(`${op}: a kill needs an invocation`);
      invocation.kill(`${op} (${kind === 'killBefore' ? 'before' : 'after'})`);
    }
    throw storageError(op, kind, this.random());
  }
}

interface PagedIterator extends AsyncIterableIterator<unknown> {
  byPage(settings?: unknown): AsyncIterableIterator<unknown>;
}

/** What the Azure SDKs throw once their own retries are spent: a 503, a 500 or a timeout without a status. */
function storageError(op: string, kind: StorageFaultKind, u: number): RestError {
  const when = kind === 'failAfter' ? 'after storage applied the call (response lost)' : 'before the call reached storage';
  if (u < 1 / 3) return new RestError(`Injected fault at ${op}, ${when}: The server is busy.`, { code: 'ServerBusy', statusCode: 503 });
  if (u < 2 / 3) return new RestError(`Injected fault at ${op}, ${when}: Server encountered an internal error.`, { code: 'InternalError', statusCode: 500 });
  return new RestError(`Injected fault at ${op}, ${when}: socket hang up (timeout)`, { code: RestError.REQUEST_SEND_ERROR });
}

function zeroKinds(): Record<StorageFaultKind, number> {
  return { failBefore: 0, failAfter: 0, killBefore: 0, killAfter: 0 };
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
