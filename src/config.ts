/**
 * The one configuration object, read from app settings (environment variables) and validated with zod.
 * A missing or bad setting fails at start-up with the setting's name. Every setting is documented in
 * docs/configuration.md and listed in local.settings.sample.json; infra/ sets the ones production needs.
 */
import { z } from 'zod';
import { STREAM_IDS, STREAMS, StreamId } from './streams/catalog';
import { ncrontabProblem } from './time/ncrontab';
import { GLOBAL_GRAPH_CLOUD, graphCloudOf, graphScopeOf, unknownGraphCloudMessage } from './clouds/graphClouds';

export const FORMAT_IDS = ['jsonl', 'jsonl.gz', 'json', 'json.gz', 'csv', 'csv.gz', 'diag', 'diag.gz'] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

export interface StreamSettings {
  enabled: boolean;
  windowMinutes: number;
  lagMinutes: number;
}

export interface StorageSettings {
  /** A connection string (Azurite, local only) ... */
  connectionString?: string;
  /** ... or identity-based service URIs (Azure). */
  blobServiceUri?: string;
  queueServiceUri?: string;
  tableServiceUri?: string;
  /** User-assigned managed identity client id for storage, when the connection uses one. */
  clientId?: string;
  credential?: 'managedidentity';
}

export type GraphAuthMode = 'managedIdentity' | 'defaultAzureCredential' | 'simulator';
export type GraphBudgetMode = 'shared' | 'process';

export interface AppConfig {
  storage: StorageSettings;
  exportsContainer: string;
  jobsTable: string;
  streamsTable: string;
  linkAuditTable: string;
  /** The shared Graph request budget's ledger (one row per app per tenant). */
  graphBudgetTable: string;
  graph: {
    /** A Graph service root (global or national cloud), or the simulator's URL in simulator mode. */
    baseUrl: string;
    /** `https://{cloud's Graph host}/.default`: the token audience follows the cloud (src/clouds/graphClouds.ts). */
    scope: string;
    /** The cloud's Entra authority for DefaultAzureCredential; undefined in simulator mode. */
    authorityHost?: string;
    authMode: GraphAuthMode;
    /** Client id of the user-assigned managed identity (AZURE_CLIENT_ID). */
    clientId?: string;
    tenantId?: string;
    /** Static bearer token for the simulator (never used against real Graph). */
    simulatorToken?: string;
    /** `shared`: one budget for every instance, kept in `graphBudgetTable`; `process`: each process counts alone. */
    budget: GraphBudgetMode;
    rateLimitRequests: number;
    rateLimitWindowSeconds: number;
    requestTimeoutSeconds: number;
    pageSize: number;
    maxRetries: number;
  };
  schedule: string;
  backfillDays: number;
  retentionDays: number;
  /** Days before the retention edge at which windows not yet exported are warned about (ExportWindowAtRisk). */
  retentionWarningDays: number;
  maxWindowsPerTick: number;
  streams: Record<StreamId, StreamSettings>;
  formats: FormatId[];
  csvNeutralizeFormulas: boolean;
  linkExpiryMinutes: number;
  /** Days the link audit keeps its rows; 0 = for ever. */
  linkAuditRetentionDays: number;
  worker: {
    timeBudgetSeconds: number;
    /** The most one invocation runs, even while it only re-reads records already written (below functionTimeout). */
    hardLimitSeconds: number;
    leaseSeconds: number;
    staleQueuedMinutes: number;
    blockTargetBytes: number;
    licenceRetryLimit: number;
  };
  recheck: {
    enabled: boolean;
    afterHours: number;
    /** A second re-check, of windows whose first one found late records; 0 = none. */
    againAfterDays: number;
  };
  api: ApiAuthSettings;
}

/** How the HTTP API knows its callers (src/api/callerIdentity.ts). */
export interface ApiAuthSettings {
  /**
   * `appService`: every caller must be signed in through App Service Authentication and hold the route's app role
   * (`Exports.Read` or `Exports.Run`). `functionKey`: the function key is the only guard.
   */
  authentication: 'functionKey' | 'appService';
  /**
   * The platform's `WEBSITE_AUTH_ENABLED`: App Service Authentication runs in front of the app, so the
   * `x-ms-client-principal` headers are the platform's, not the client's. Never set by the app or its template.
   */
  platformAuthentication: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Configuration setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const intSetting = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolSetting = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** NCRONTAB with six fields (seconds first), as the Functions timer trigger expects (src/time/ncrontab.ts). */
const ncrontab = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = ncrontabProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

function read<T>(env: Env, name: string, schema: z.ZodType<T>, fallback: string | undefined): T {
  const raw = env[name] === undefined || env[name] === '' ? fallback : env[name];
  if (raw === undefined) throw new ConfigError(name, 'is required but not set');
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(name, `value ${JSON.stringify(raw)} is invalid: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** `STREAM_NONINTERACTIVESIGNINS_LAG_MINUTES` style names, derived from the stream id. */
export function streamSettingName(stream: StreamId, suffix: 'ENABLED' | 'WINDOW_MINUTES' | 'LAG_MINUTES'): string {
  return `STREAM_${stream.toUpperCase()}_${suffix}`;
}

export interface LoadConfigOptions {
  /** `none`: the command-line export, which keeps everything on local disk and reads no storage settings. */
  storage?: 'required' | 'none';
}

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): AppConfig {
  const storage = options.storage === 'none' ? {} : readStorage(env);
  const formats = read(
    env,
    'EXPORT_FORMATS',
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.enum(FORMAT_IDS)).min(1, 'must name at least one format').refine((a) => new Set(a).size === a.length, 'lists a format twice')),
    'jsonl.gz,csv',
  );
  const streams = {} as Record<StreamId, StreamSettings>;
  for (const id of STREAM_IDS) {
    const def = STREAMS[id];
    streams[id] = {
      enabled: read(env, streamSettingName(id, 'ENABLED'), boolSetting, String(def.enabledByDefault)),
      windowMinutes: read(
        env,
        streamSettingName(id, 'WINDOW_MINUTES'),
        intSetting(1, 1440).refine((m) => 1440 % m === 0, 'must divide a day evenly (1, 5, 10, 15, 30, 60, 120, ... 1440)'),
        String(def.defaultWindowMinutes),
      ),
      lagMinutes: read(env, streamSettingName(id, 'LAG_MINUTES'), intSetting(0, 7 * 24 * 60), String(def.defaultLagMinutes)),
    };
  }
  const authMode = read(
    env,
    'GRAPH_AUTH_MODE',
    z.enum(['managedIdentity', 'defaultAzureCredential', 'simulator']),
    'managedIdentity',
  ) as GraphAuthMode;
  const graphBaseUrl = read(env, 'GRAPH_BASE_URL', z.url({ protocol: /^https?$/ }), 'https://graph.microsoft.com').replace(/\/+$/, '');
  if (authMode !== 'simulator' && !graphBaseUrl.startsWith('https://')) {
    throw new ConfigError('GRAPH_BASE_URL', 'must use https unless GRAPH_AUTH_MODE=simulator');
  }
  // The token's audience and the sign-in authority follow the cloud; any other host is refused before a token is asked for.
  const cloud = authMode === 'simulator' ? undefined : graphCloudOf(graphBaseUrl);
  if (authMode !== 'simulator' && !cloud) throw new ConfigError('GRAPH_BASE_URL', unknownGraphCloudMessage(graphBaseUrl));
  const retentionDays = read(env, 'ENTRA_RETENTION_DAYS', intSetting(7, 30), '30');
  const backfillDays = read(env, 'BACKFILL_DAYS', intSetting(0, 30), '7');
  if (backfillDays > retentionDays) {
    throw new ConfigError('BACKFILL_DAYS', `is ${backfillDays} but Entra keeps only ${retentionDays} days (ENTRA_RETENTION_DAYS)`);
  }
  const retentionWarningDays = read(env, 'RETENTION_WARNING_DAYS', intSetting(1, 29), '3');
  if (retentionWarningDays >= retentionDays) {
    throw new ConfigError('RETENTION_WARNING_DAYS', `is ${retentionWarningDays} but must be less than ENTRA_RETENTION_DAYS (${retentionDays})`);
  }
  const timeBudgetSeconds = read(env, 'WORKER_TIME_BUDGET_SECONDS', intSetting(10, 7200), '1200');
  const leaseSeconds = read(env, 'JOB_LEASE_SECONDS', intSetting(30, 7200), '600');
  // host.json functionTimeout is 30 min: 27 min leaves three for the last page, the checkpoint and the host's clean-up.
  const hardLimitSeconds = read(env, 'WORKER_HARD_LIMIT_SECONDS', intSetting(12, 7200), String(Math.min(7200, Math.max(1620, Math.ceil(timeBudgetSeconds * 1.2)))));
  if (hardLimitSeconds < timeBudgetSeconds) {
    throw new ConfigError('WORKER_HARD_LIMIT_SECONDS', `is ${hardLimitSeconds} but must be at least WORKER_TIME_BUDGET_SECONDS (${timeBudgetSeconds})`);
  }
  return {
    storage,
    exportsContainer: read(env, 'EXPORTS_CONTAINER', containerName, 'exports'),
    jobsTable: read(env, 'JOBS_TABLE', tableName, 'jobs'),
    streamsTable: read(env, 'STREAMS_TABLE', tableName, 'streams'),
    linkAuditTable: read(env, 'LINK_AUDIT_TABLE', tableName, 'linkaudit'),
    graphBudgetTable: read(env, 'GRAPH_BUDGET_TABLE', tableName, 'graphbudget'),
    graph: {
      baseUrl: graphBaseUrl,
      scope: graphScopeOf(cloud ?? GLOBAL_GRAPH_CLOUD),
      authorityHost: cloud?.authorityHost,
      authMode,
      clientId: optional(env, 'AZURE_CLIENT_ID'),
      tenantId: optional(env, 'AZURE_TENANT_ID'),
      simulatorToken: optional(env, 'GRAPH_SIMULATOR_TOKEN'),
      budget: read(env, 'GRAPH_BUDGET', z.enum(['shared', 'process']), 'shared') as GraphBudgetMode,
      rateLimitRequests: read(env, 'GRAPH_RATE_LIMIT_REQUESTS', intSetting(1, 1000), '5'),
      rateLimitWindowSeconds: read(env, 'GRAPH_RATE_LIMIT_WINDOW_SECONDS', z.coerce.number().positive().max(3600), '10'),
      requestTimeoutSeconds: read(env, 'GRAPH_REQUEST_TIMEOUT_SECONDS', intSetting(5, 900), '300'),
      pageSize: read(env, 'GRAPH_PAGE_SIZE', intSetting(1, 1000), '1000'),
      maxRetries: read(env, 'GRAPH_MAX_RETRIES', intSetting(0, 20), '6'),
    },
    schedule: read(env, 'EXPORT_SCHEDULE', ncrontab, '0 */5 * * * *'),
    backfillDays,
    retentionDays,
    retentionWarningDays,
    maxWindowsPerTick: read(env, 'MAX_WINDOWS_PER_TICK', intSetting(1, 10000), '200'),
    streams,
    formats,
    csvNeutralizeFormulas: read(env, 'CSV_NEUTRALIZE_FORMULAS', boolSetting, 'true'),
    linkExpiryMinutes: read(env, 'LINK_EXPIRY_MINUTES', intSetting(1, 60), '15'),
    linkAuditRetentionDays: read(env, 'LINK_AUDIT_RETENTION_DAYS', intSetting(0, 3650), '365'),
    worker: {
      timeBudgetSeconds,
      hardLimitSeconds,
      leaseSeconds,
      staleQueuedMinutes: read(env, 'STALE_QUEUED_MINUTES', intSetting(1, 10080), '60'),
      blockTargetBytes: read(env, 'BLOCK_TARGET_BYTES', intSetting(64 * 1024, 100 * 1024 * 1024), String(4 * 1024 * 1024)),
      licenceRetryLimit: read(env, 'LICENCE_RETRY_LIMIT', intSetting(0, 50), '3'),
    },
    recheck: {
      enabled: read(env, 'RECHECK_ENABLED', boolSetting, 'true'),
      afterHours: read(env, 'RECHECK_AFTER_HOURS', intSetting(1, 24 * 29), '24'),
      againAfterDays: read(env, 'RECHECK_AGAIN_AFTER_DAYS', intSetting(0, 28), '3'),
    },
    api: readApiAuth(env),
  };
}

/**
 * `API_AUTHENTICATION=appService` is accepted only when the platform says App Service Authentication is on
 * (`WEBSITE_AUTH_ENABLED`, parsed like the Functions host parses it): otherwise the principal headers the app would
 * check could be written by any caller.
 */
function readApiAuth(env: Env): ApiAuthSettings {
  const authentication = read(env, 'API_AUTHENTICATION', z.enum(['functionKey', 'appService']), 'functionKey');
  const platformAuthentication = optional(env, 'WEBSITE_AUTH_ENABLED')?.toLowerCase() === 'true';
  if (authentication === 'appService' && !platformAuthentication) {
    throw new ConfigError(
      'API_AUTHENTICATION',
      'is appService but App Service Authentication is not on for this app (the platform\'s WEBSITE_AUTH_ENABLED is not True): turn it on (template parameter apiClientId, docs/deploy.md) or set API_AUTHENTICATION=functionKey',
    );
  }
  return { authentication, platformAuthentication };
}

const containerName = z.string().regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/, 'must be a valid blob container name');
const tableName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name');

/**
 * Storage is reached the way the Functions host reaches it: `AzureWebJobsStorage` as a connection string
 * (Azurite), or the identity-based `AzureWebJobsStorage__*` settings (Azure, managed identity, no keys).
 */
function readStorage(env: Env): StorageSettings {
  const connectionString = optional(env, 'AzureWebJobsStorage');
  if (connectionString) {
    if (connectionString === 'UseDevelopmentStorage=true' || /AccountKey=/i.test(connectionString) || /SharedAccessSignature=/i.test(connectionString)) {
      return { connectionString };
    }
    throw new ConfigError('AzureWebJobsStorage', 'must be a storage connection string; in Azure use the AzureWebJobsStorage__* identity settings instead');
  }
  const accountName = optional(env, 'AzureWebJobsStorage__accountName');
  const blobServiceUri = optional(env, 'AzureWebJobsStorage__blobServiceUri') ?? (accountName && `https://${accountName}.blob.core.windows.net`);
  const queueServiceUri = optional(env, 'AzureWebJobsStorage__queueServiceUri') ?? (accountName && `https://${accountName}.queue.core.windows.net`);
  const tableServiceUri = optional(env, 'AzureWebJobsStorage__tableServiceUri') ?? (accountName && `https://${accountName}.table.core.windows.net`);
  if (!blobServiceUri) {
    throw new ConfigError('AzureWebJobsStorage__blobServiceUri', 'is required (or AzureWebJobsStorage__accountName, or AzureWebJobsStorage for Azurite)');
  }
  if (!queueServiceUri) throw new ConfigError('AzureWebJobsStorage__queueServiceUri', 'is required when AzureWebJobsStorage__blobServiceUri is set');
  if (!tableServiceUri) throw new ConfigError('AzureWebJobsStorage__tableServiceUri', 'is required when AzureWebJobsStorage__blobServiceUri is set');
  const credential = optional(env, 'AzureWebJobsStorage__credential');
  if (credential !== undefined && credential !== 'managedidentity') {
    throw new ConfigError('AzureWebJobsStorage__credential', 'must be "managedidentity" when set');
  }
  return {
    blobServiceUri,
    queueServiceUri,
    tableServiceUri,
    clientId: optional(env, 'AzureWebJobsStorage__clientId'),
    credential: credential as 'managedidentity' | undefined,
  };
}

/** Every setting name the configuration reads, for docs and the infra cross-check. */
export function configSettingNames(): string[] {
  const names = [
    'AzureWebJobsStorage',
    'AzureWebJobsStorage__accountName',
    'AzureWebJobsStorage__blobServiceUri',
    'AzureWebJobsStorage__queueServiceUri',
    'AzureWebJobsStorage__tableServiceUri',
    'AzureWebJobsStorage__credential',
    'AzureWebJobsStorage__clientId',
    'EXPORTS_CONTAINER',
    'JOBS_TABLE',
    'STREAMS_TABLE',
    'LINK_AUDIT_TABLE',
    'GRAPH_BUDGET_TABLE',
    'GRAPH_BASE_URL',
    'GRAPH_AUTH_MODE',
    'AZURE_CLIENT_ID',
    'AZURE_TENANT_ID',
    'GRAPH_SIMULATOR_TOKEN',
    'GRAPH_BUDGET',
    'GRAPH_RATE_LIMIT_REQUESTS',
    'GRAPH_RATE_LIMIT_WINDOW_SECONDS',
    'GRAPH_REQUEST_TIMEOUT_SECONDS',
    'GRAPH_PAGE_SIZE',
    'GRAPH_MAX_RETRIES',
    'EXPORT_SCHEDULE',
    'BACKFILL_DAYS',
    'ENTRA_RETENTION_DAYS',
    'RETENTION_WARNING_DAYS',
    'MAX_WINDOWS_PER_TICK',
    'EXPORT_FORMATS',
    'CSV_NEUTRALIZE_FORMULAS',
    'LINK_EXPIRY_MINUTES',
    'LINK_AUDIT_RETENTION_DAYS',
    'WORKER_TIME_BUDGET_SECONDS',
    'WORKER_HARD_LIMIT_SECONDS',
    'JOB_LEASE_SECONDS',
    'STALE_QUEUED_MINUTES',
    'BLOCK_TARGET_BYTES',
    'LICENCE_RETRY_LIMIT',
    'RECHECK_ENABLED',
    'RECHECK_AFTER_HOURS',
    'RECHECK_AGAIN_AFTER_DAYS',
    'API_AUTHENTICATION',
    'WEBSITE_AUTH_ENABLED',
  ];
  for (const id of STREAM_IDS) {
    names.push(streamSettingName(id, 'ENABLED'), streamSettingName(id, 'WINDOW_MINUTES'), streamSettingName(id, 'LAG_MINUTES'));
  }
  return names;
}
