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
    skipTokenTtlSeconds: options.skipTokenTtlSeconds ?? 3600,
    fixtures: options.fixtures ?? [],
  };
}
