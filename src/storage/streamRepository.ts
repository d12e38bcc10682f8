/**
 * The `streams` table: one row per stream with its watermark (everything before it has been planned as jobs),
 * the last successful export, and a pause when Graph refuses the stream (licence, permission).
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
  etag?: string;
}

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

  /** Read-modify-write with a few retries on concurrent changes. */
  async modify(stream: StreamId, change: (state: StreamState) => StreamState): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const state = await this.get(stream);
      if (!state) return;
      if (await this.tryUpdate(change(state))) return;
    }
    throw new Error(`Could not update stream ${stream}: too many concurrent changes`);
  }

  async list(): Promise<StreamState[]> {
    const out: StreamState[] = [];
    for await (const entity of this.table.listEntities<StreamEntity>()) out.push(fromEntity(entity));
    return out;
  }
}

function toEntity(state: StreamState): StreamEntity {
  const entity: StreamEntity = { partitionKey: STREAMS_PARTITION, rowKey: state.stream, watermark: state.watermark };
  for (const key of ['lastSuccessAt', 'lastSuccessJobId', 'pausedUntil', 'pausedCode', 'pausedReason'] as const) {
    const value = state[key];
    if (value) entity[key] = value;
  }
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
    etag: entity.etag,
  };
}
