/**
 * The `streams` table: one row per stream with its watermark (everything before it has been planned as jobs),
 * the last successful export, a pause when Graph refuses the stream (licence, permission), and the stream's loss and
 * late-record counters (counted exactly once per event, see `count`).
 */
import { TableClient } from '@azure/data-tables';
import type { StreamId } from '../streams/catalog';
import { isConflict, isNotFound, isPreconditionFailed } from './tableErrors';

export const STREAMS_PARTITION = 'streams';

export interface StreamState {
  stream: StreamId;
  /** 7-digit ISO instant: windows before it have job rows. */
  watermark: string;
  lastSuccessAt?: string;
  lastSuccessJobId?: string;
  /** When set, the planner creates no jobs for this stream until then. */
  pausedUntil?: string;
  pausedCode?: string;
  pausedReason?: string;
  /** Windows whose start passed Entra's retention edge before they were exported (status lostToRetention). */
  lostWindows?: number;
  /** Records that re-check passes found missing or changed in an exported window (written as a new revision). */
  lateRecordsFound?: number;
  /** When the planner last logged ExportWindowsAtRisk for this stream. */
  riskWarnedAt?: string;
  /** Keys of the most recent counted events, so a retried count is not counted twice. */
  countedKeys?: string[];
  etag?: string;
}

export type StreamCounter = 'lostWindows' | 'lateRecordsFound';

/** How many counted keys a row remembers: far more than can be retried at once. */
const COUNTED_KEYS_KEPT = 200;

type StreamEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

export class StreamRepository {
  constructor(private readonly table: TableClient) {}

  async get(stream: StreamId): Promise<StreamState | undefined> {
    try {
      return fromEntity(await this.table.getEntity<StreamEntity>(STREAMS_PARTITION, stream));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Creates the row unless it exists; returns the stored row either way. */
  async getOrCreate(initial: StreamState): Promise<StreamState> {
    try {
      await this.table.createEntity(toEntity(initial));
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const stored = await this.get(initial.stream);
    if (!stored) throw new Error(`Stream row ${initial.stream} vanished after creation`);
    return stored;
  }

  /** Etag-guarded replace; false when another writer got there first. */
  async tryUpdate(state: StreamState): Promise<boolean> {
    try {
      await this.table.updateEntity(toEntity(state), 'Replace', { etag: state.etag ?? '*' });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  /** Read-modify-write, retried on concurrent changes (every worker of a stream writes its row). */
  async modify(stream: StreamId, change: (state: StreamState) => StreamState): Promise<void> {
    for (let attempt = 0; attempt < 12; attempt++) {
      const state = await this.get(stream);
      if (!state) return;
      if (await this.tryUpdate(change(state))) return;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (attempt + 1)));
    }
    throw new Error(`Could not update stream ${stream}: too many concurrent changes`);
  }

  /**
   * Adds `by` to a counter once per `key` (e.g. `lost:<jobId>`): a caller that counts and then crashes before its
   * own write counts again on retry without counting twice. Returns false when the key was already counted.
   */
  async count(stream: StreamId, counter: StreamCounter, key: string, by: number): Promise<boolean> {
    let added = false;
    await this.modify(stream, (state) => {
      const keys = state.countedKeys ?? [];
      added = !keys.includes(key);
      if (!added) return state;
      return { ...state, [counter]: (state[counter] ?? 0) + by, countedKeys: [...keys, key].slice(-COUNTED_KEYS_KEPT) };
    });
    return added;
  }

  async list(): Promise<StreamState[]> {
    const out: StreamState[] = [];
    for await (const entity of this.table.listEntities<StreamEntity>()) out.push(fromEntity(entity));
    return out;
  }
}

function toEntity(state: StreamState): StreamEntity {
  const entity: StreamEntity = { partitionKey: STREAMS_PARTITION, rowKey: state.stream, watermark: state.watermark };
  for (const key of ['lastSuccessAt', 'lastSuccessJobId', 'pausedUntil', 'pausedCode', 'pausedReason', 'riskWarnedAt'] as const) {
    const value = state[key];
    if (value) entity[key] = value;
  }
  for (const key of ['lostWindows', 'lateRecordsFound'] as const) {
    const value = state[key];
    if (value) entity[key] = value;
  }
  if (state.countedKeys?.length) entity.countedKeys = JSON.stringify(state.countedKeys);
  return entity;
}

function fromEntity(entity: StreamEntity & { etag?: string }): StreamState {
  const str = (name: string): string | undefined => (typeof entity[name] === 'string' ? (entity[name] as string) : undefined);
  return {
    stream: entity.rowKey as StreamId,
    watermark: str('watermark') ?? '',
    lastSuccessAt: str('lastSuccessAt'),
    lastSuccessJobId: str('lastSuccessJobId'),
    pausedUntil: str('pausedUntil'),
    pausedCode: str('pausedCode'),
    pausedReason: str('pausedReason'),
    lostWindows: typeof entity.lostWindows === 'number' ? entity.lostWindows : 0,
    lateRecordsFound: typeof entity.lateRecordsFound === 'number' ? entity.lateRecordsFound : 0,
    riskWarnedAt: str('riskWarnedAt'),
    countedKeys: str('countedKeys') ? (JSON.parse(str('countedKeys') as string) as string[]) : [],
    etag: entity.etag,
  };
}
