/** Simulator options (the public shape) and their resolved, defaulted form used internally. */
import { STREAM_IDS, type StreamId } from '../../src/streams/catalog';

export type EndpointName = 'directoryAudits' | 'signIns' | 'provisioning';
export type LatencySpec = { baseMs: number; perRecordMs: number };

export interface TenantOptions {
  id?: string;
  licence?: 'premium' | 'free';
  retentionDays?: number;
  missingPermission?: boolean;
  spuriousLicenceErrorRate?: number;
}

export interface FaultOptions {
  seed?: string | number;
  throttleNoRetryAfter?: number;
  serverError500?: number;
  unavailable503?: number;
  gatewayTimeout504?: number;
  connectionReset?: number;
  truncatedBody?: number;
  invalidSkipToken?: number;
  emptyPageWithNextLink?: number;
}

export interface PublicationOptions {
  lateShare?: number;
  lateMaxMinutes?: number;
  republishShare?: number;
  splitShare?: number;
}

/**
 * Records sharing one exact timestamp. Ordinary bursts fall inside minutes of streams with at least 600 events an
 * hour; edge bursts sit exactly on a boundary every `edgeMinutes` (aligned to the epoch, as the exporter aligns its
 * windows) or on the last 100 ns before it, in every stream with events.
 */
export interface BurstOptions {
  /** Chance that a one-minute slice holds an ordinary burst (default 0.02). */
  share?: number;
  /** Size of an ordinary burst, uniform in [minSize, maxSize] (default 50–300). */
  minSize?: number;
  maxSize?: number;
  /** Spacing of the boundaries edge bursts sit on (default 15 minutes). */
  edgeMinutes?: number;
  /** Chance that a boundary holds a burst at its exact instant, and (drawn apart) one at its last 100 ns (default 0). */
  edgeShare?: number;
  /** Size of an edge burst (default 1,000–3,000). */
  edgeMinSize?: number;
  edgeMaxSize?: number;
}

export interface SimulatorOptions {
  host?: string;
  port?: number;
  seed?: string | number;
  now?: () => number;
  timeScale?: number;
  tenant?: TenantOptions;
  staticTokens?: Record<string, string>;
  volume?: Partial<Record<StreamId, number>>;
  dataStartMs?: number;
  throttle?: { requests: number; windowSeconds: number } | false;
  latency?: 'realistic' | 'none' | { [endpoint in EndpointName]?: LatencySpec };
  faults?: FaultOptions;
  publication?: PublicationOptions;
  bursts?: BurstOptions;
  skipTokenTtlSeconds?: number;
  fixtures?: Array<{ stream: StreamId; file: string; mode: 'mix' | 'replace' }>;
  /**
   * Serve HTTPS with this PEM certificate and key. Azure SDK bearer-token policies refuse plain-HTTP URLs, so
   * clients built on @azure/core-rest-pipeline need it (dev/certificates.ts makes a local certificate).
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** Events per hour of a realistic mid-size tenant (a few thousand users). */
export const defaultRealisticVolume: Readonly<Record<StreamId, number>> = {
  audit: 600,
  interactiveSignIns: 3_000,
  nonInteractiveSignIns: 30_000,
  servicePrincipalSignIns: 2_000,
  managedIdentitySignIns: 1_500,
  provisioning: 400,
};

export const realisticLatency: Readonly<Record<EndpointName, LatencySpec>> = {
  directoryAudits: { baseMs: 400, perRecordMs: 0.6 },
  signIns: { baseMs: 900, perRecordMs: 3 },
  provisioning: { baseMs: 500, perRecordMs: 1.5 },
};

export type FaultKind = Exclude<keyof FaultOptions, 'seed'>;
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttleNoRetryAfter', 'serverError500', 'unavailable503', 'gatewayTimeout504', 'connectionReset',
  'truncatedBody', 'invalidSkipToken', 'emptyPageWithNextLink',
];

export interface ResolvedTenant {
  id: string;
  licence: 'premium' | 'free';
  retentionDays: number;
  missingPermission: boolean;
  spuriousLicenceErrorRate: number;
}

export interface ResolvedPublication {
  lateShare: number;
  lateMaxMinutes: number;
  republishShare: number;
  splitShare: number;
}

export type ResolvedBursts = Required<BurstOptions>;

export interface ResolvedOptions {
  host: string;
  port: number;
  seed: string;
  now: () => number;
  timeScale: number;
  tenant: ResolvedTenant;
  staticTokens: Record<string, string>;
  volume: Record<StreamId, number>;
  dataStartMs: number;
  throttle: { requests: number; windowSeconds: number } | false;
  latency: Record<EndpointName, LatencySpec>;
  faults: Record<FaultKind, number> & { seed: string };
  publication: ResolvedPublication;
  bursts: ResolvedBursts;
  skipTokenTtlSeconds: number;
  fixtures: Array<{ stream: StreamId; file: string; mode: 'mix' | 'replace' }>;
}

export const DEFAULT_TENANT_ID = 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff';

export function resolveLatency(latency: SimulatorOptions['latency']): Record<EndpointName, LatencySpec> {
  if (latency === 'none') {
    const zero = { baseMs: 0, perRecordMs: 0 };
    return { directoryAudits: zero, signIns: zero, provisioning: zero };
  }
  if (latency === undefined || latency === 'realistic') return { ...realisticLatency };
  const zero = { baseMs: 0, perRecordMs: 0 };
  return {
    directoryAudits: latency.directoryAudits ?? zero,
    signIns: latency.signIns ?? zero,
    provisioning: latency.provisioning ?? zero,
  };
}

export function resolveTenant(tenant: TenantOptions | undefined, previous?: ResolvedTenant): ResolvedTenant {
  const licence = tenant?.licence ?? previous?.licence ?? 'premium';
  return {
    id: tenant?.id ?? previous?.id ?? DEFAULT_TENANT_ID,
    licence,
    retentionDays: tenant?.retentionDays ?? (tenant?.licence ? undefined : previous?.retentionDays) ?? (licence === 'free' ? 7 : 30),
    missingPermission: tenant?.missingPermission ?? previous?.missingPermission ?? false,
    spuriousLicenceErrorRate: tenant?.spuriousLicenceErrorRate ?? previous?.spuriousLicenceErrorRate ?? 0,
  };
}

export function resolveFaults(faults: FaultOptions | undefined, seed: string): ResolvedOptions['faults'] {
  const resolved = { seed: String(faults?.seed ?? seed) } as ResolvedOptions['faults'];
  for (const kind of FAULT_KINDS) resolved[kind] = faults?.[kind] ?? 0;
  return resolved;
}

export function resolvePublication(publication: PublicationOptions | undefined, previous?: ResolvedPublication): ResolvedPublication {
  return {
    lateShare: publication?.lateShare ?? previous?.lateShare ?? 0.01,
    lateMaxMinutes: publication?.lateMaxMinutes ?? previous?.lateMaxMinutes ?? 90,
    republishShare: publication?.republishShare ?? previous?.republishShare ?? 0.01,
    splitShare: publication?.splitShare ?? previous?.splitShare ?? 0.005,
  };
}

export function resolveBursts(bursts: BurstOptions | undefined, previous?: ResolvedBursts): ResolvedBursts {
  const resolved: ResolvedBursts = {
    share: bursts?.share ?? previous?.share ?? 0.02,
    minSize: bursts?.minSize ?? previous?.minSize ?? 50,
    maxSize: bursts?.maxSize ?? previous?.maxSize ?? 300,
    edgeMinutes: bursts?.edgeMinutes ?? previous?.edgeMinutes ?? 15,
    edgeShare: bursts?.edgeShare ?? previous?.edgeShare ?? 0,
    edgeMinSize: bursts?.edgeMinSize ?? previous?.edgeMinSize ?? 1000,
    edgeMaxSize: bursts?.edgeMaxSize ?? previous?.edgeMaxSize ?? 3000,
  };
  const sizes = [resolved.minSize, resolved.maxSize, resolved.edgeMinSize, resolved.edgeMaxSize];
  if (!sizes.every((n) => Number.isInteger(n) && n >= 1) || resolved.minSize > resolved.maxSize || resolved.edgeMinSize > resolved.edgeMaxSize) {
    throw new Error(`Burst sizes must be whole numbers ≥ 1 with min ≤ max: ${JSON.stringify(bursts)}`);
  }
  if (!Number.isInteger(resolved.edgeMinutes) || resolved.edgeMinutes < 1) throw new Error(`bursts.edgeMinutes must be a whole number ≥ 1, not ${resolved.edgeMinutes}`);
  for (const share of [resolved.share, resolved.edgeShare]) if (!(share >= 0 && share <= 1)) throw new Error(`Burst shares must be in [0, 1]: ${JSON.stringify(bursts)}`);
  return resolved;
}

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const now = options.now ?? Date.now;
  const seed = String(options.seed ?? 'entra');
  const volume = { ...defaultRealisticVolume };
  for (const id of STREAM_IDS) {
    const v = options.volume?.[id];
    if (v !== undefined) volume[id] = v;
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    seed,
    now,
    timeScale: options.timeScale ?? 1,
    tenant: resolveTenant(options.tenant),
    staticTokens: options.staticTokens ?? {},
    volume,
    dataStartMs: options.dataStartMs ?? now() - 30 * 86_400_000,
    throttle: options.throttle === undefined ? { requests: 5, windowSeconds: 10 } : options.throttle,
    latency: resolveLatency(options.latency),
    faults: resolveFaults(options.faults, seed),
    publication: resolvePublication(options.publication),
    bursts: resolveBursts(options.bursts),
    skipTokenTtlSeconds: options.skipTokenTtlSeconds ?? 3600,
    fixtures: options.fixtures ?? [],
  };
}
