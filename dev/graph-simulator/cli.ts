/** `npm run simulator -- [options]`: runs the Graph simulator as a standalone server (see --help). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureLocalCertificate } from '../certificates';
import { isStreamId, STREAM_IDS, type StreamId } from '../../src/streams/catalog';
import { defaultRealisticVolume, makeSimulatorToken, startSimulator, type SimulatorOptions } from './index';
import { FAULT_KINDS, type FaultKind, type FaultOptions } from './options';

const HELP = `Microsoft Graph reporting-API simulator (auditLogs/directoryAudits, signIns, provisioning)

Usage: npm run simulator -- [options]

Server
  --port <n>                      listen port (default 8790; 0 = any free port)
  --host <addr>                   listen address (default 127.0.0.1)
  --seed <value>                  seed for records and faults (default "entra")
  --time-scale <x>                divide throttle window, Retry-After, latency, token TTL by x (default 1)
  --data-start <ISO>              no generated records before this instant (default now - 30 days)
  --now <ISO>                     a fixed "now" (visibility, retention) instead of the wall clock

Tenant
  --tenant-id <guid>              tenant id in records and throttle keys
  --licence premium|free          free: signIns and provisioning answer 403 (default premium)
  --retention-days <n>            filters older than now - n days get 400 (default 30, free 7)
  --missing-permission            every endpoint answers 403 Authentication_MSGraphPermissionMissing
  --spurious-licence-error-rate <p>  probability of a spurious licence 403 on a premium tenant
  --static-token <token>=<appId>  accept a fixed bearer token as this app (repeatable)

Volume (events per hour; defaults: ${STREAM_IDS.map((s) => `${s}=${defaultRealisticVolume[s]}`).join(', ')})
  --volume <stream>=<n>           repeatable, stream one of ${STREAM_IDS.join(', ')}

Throttling, latency, paging
  --throttle <requests>/<seconds> | off   per app per tenant, sliding window (default 5/10)
  --latency realistic|none        per-page latency (default realistic)
  --skip-token-ttl <seconds>      skiptoken lifetime (default 3600)

Publication
  --late-share <p>                share of records published late (default 0.01)
  --late-max-minutes <n>          latest late publication (default 90)
  --republish-share <p>           share of records published twice (default 0.01)
  --split-share <p>               share of sign-ins split into two records (default 0.005)

Bursts (records sharing one exact timestamp)
  --burst-share <p>               chance a minute holds a burst, streams of >= 600 events/h (default 0.02)
  --burst-size <min>-<max>        records in a burst (default 50-300)
  --edge-burst-share <p>          chance a boundary holds a burst exactly on it, and one on its last 100 ns (default 0)
  --edge-burst-size <min>-<max>   records in an edge burst (default 1000-3000)
  --edge-minutes <n>              boundaries every n minutes since the epoch, as export windows align (default 15)

Faults (probability per request)
  --fault <kind>=<p>              repeatable; kinds: ${FAULT_KINDS.join(', ')}
  --fault-seed <value>            seed of the fault sequence (default: --seed)

Fixtures
  --fixture <stream>:<mix|replace>:<file>  serve records from a Graph page or JSON array file (repeatable)

TLS
  --tls                           serve HTTPS with the local development certificate (.test-certs/)
  --tls-cert <file> --tls-key <file>  serve HTTPS with this PEM certificate and key

  --help                          show this help
`;

/** `<min>-<max>` (or one number) as the two named burst-size options. */
export function sizeRange<K extends string>(value: string | undefined, flag: string, minKey: K, maxKey: K): Partial<Record<K, number>> {
  if (value === undefined) return {};
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!m) throw new Error(`${flag} expects <min>-<max> or one number, got ${value}`);
  return { [minKey]: Number(m[1]), [maxKey]: Number(m[2] ?? m[1]) } as Partial<Record<K, number>>;
}

function pairs(values: string[] | undefined, flag: string): Array<[string, string]> {
  return (values ?? []).map((value) => {
    const at = value.indexOf('=');
    if (at <= 0) throw new Error(`${flag} expects key=value, got ${value}`);
    return [value.slice(0, at), value.slice(at + 1)];
  });
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${flag} expects a number, got ${value}`);
  return n;
}

/** Parsed command line: simulator options plus where the TLS certificate comes from (read at start). */
export interface CliSettings {
  options: SimulatorOptions;
  tls?: 'local' | { certPath: string; keyPath: string };
}

export function settingsFromArgs(argv: string[]): CliSettings | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' },
      'time-scale': { type: 'string' }, 'data-start': { type: 'string' }, now: { type: 'string' }, 'tenant-id': { type: 'string' },
      licence: { type: 'string' }, 'retention-days': { type: 'string' }, 'missing-permission': { type: 'boolean' },
      'spurious-licence-error-rate': { type: 'string' }, 'static-token': { type: 'string', multiple: true },
      volume: { type: 'string', multiple: true }, throttle: { type: 'string' }, latency: { type: 'string' },
      'skip-token-ttl': { type: 'string' }, 'late-share': { type: 'string' }, 'late-max-minutes': { type: 'string' },
      'republish-share': { type: 'string' }, 'split-share': { type: 'string' }, fault: { type: 'string', multiple: true },
      'fault-seed': { type: 'string' }, fixture: { type: 'string', multiple: true },
      'burst-share': { type: 'string' }, 'burst-size': { type: 'string' }, 'edge-burst-share': { type: 'string' },
      'edge-burst-size': { type: 'string' }, 'edge-minutes': { type: 'string' },
      tls: { type: 'boolean' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new Error('--tls-cert and --tls-key go together');
  const tls = values['tls-cert'] && values['tls-key'] ? { certPath: values['tls-cert'], keyPath: values['tls-key'] } : values.tls ? 'local' as const : undefined;
  const volume: Partial<Record<StreamId, number>> = {};
  for (const [stream, n] of pairs(values.volume, '--volume')) {
    if (!isStreamId(stream)) throw new Error(`Unknown stream ${stream}`);
    volume[stream] = num(n, '--volume');
  }
  const faults: FaultOptions = { seed: values['fault-seed'] };
  for (const [kind, p] of pairs(values.fault, '--fault')) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new Error(`Unknown fault ${kind}`);
    faults[kind as FaultKind] = num(p, '--fault');
  }
  let throttle: SimulatorOptions['throttle'];
  if (values.throttle === 'off') throttle = false;
  else if (values.throttle) {
    const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(values.throttle);
    if (!m) throw new Error('--throttle expects <requests>/<seconds> or off');
    throttle = { requests: Number(m[1]), windowSeconds: Number(m[2]) };
  }
  if (values.licence && values.licence !== 'premium' && values.licence !== 'free') throw new Error('--licence is premium or free');
  if (values.latency && values.latency !== 'realistic' && values.latency !== 'none') throw new Error('--latency is realistic or none');
  const fixtures = (values.fixture ?? []).map((spec) => {
    const [stream, mode, ...file] = spec.split(':');
    if (!isStreamId(stream) || (mode !== 'mix' && mode !== 'replace') || file.length === 0) throw new Error(`--fixture expects <stream>:<mix|replace>:<file>, got ${spec}`);
    return { stream, mode, file: file.join(':') } as const;
  });
  const fixedNow = values.now === undefined ? undefined : Date.parse(values.now);
  if (fixedNow !== undefined && !Number.isFinite(fixedNow)) throw new Error('--now expects an ISO instant');
  const options: SimulatorOptions = {
    port: num(values.port, '--port') ?? 8790,
    now: fixedNow === undefined ? undefined : () => fixedNow,
    host: values.host,
    seed: values.seed,
    timeScale: num(values['time-scale'], '--time-scale'),
    dataStartMs: values['data-start'] ? Date.parse(values['data-start']) : undefined,
    tenant: {
      id: values['tenant-id'],
      licence: values.licence as 'premium' | 'free' | undefined,
      retentionDays: num(values['retention-days'], '--retention-days'),
      missingPermission: values['missing-permission'],
      spuriousLicenceErrorRate: num(values['spurious-licence-error-rate'], '--spurious-licence-error-rate'),
    },
    staticTokens: Object.fromEntries(pairs(values['static-token'], '--static-token')),
    volume,
    throttle,
    latency: values.latency as 'realistic' | 'none' | undefined,
    faults,
    publication: {
      lateShare: num(values['late-share'], '--late-share'),
      lateMaxMinutes: num(values['late-max-minutes'], '--late-max-minutes'),
      republishShare: num(values['republish-share'], '--republish-share'),
      splitShare: num(values['split-share'], '--split-share'),
    },
    bursts: {
      share: num(values['burst-share'], '--burst-share'),
      ...sizeRange(values['burst-size'], '--burst-size', 'minSize', 'maxSize'),
      edgeShare: num(values['edge-burst-share'], '--edge-burst-share'),
      ...sizeRange(values['edge-burst-size'], '--edge-burst-size', 'edgeMinSize', 'edgeMaxSize'),
      edgeMinutes: num(values['edge-minutes'], '--edge-minutes'),
    },
    skipTokenTtlSeconds: num(values['skip-token-ttl'], '--skip-token-ttl'),
    fixtures,
  };
  return { options, tls };
}

async function main(): Promise<void> {
  const settings = settingsFromArgs(process.argv.slice(2));
  if (settings === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const { options } = settings;
  const files = settings.tls === 'local' ? await ensureLocalCertificate() : settings.tls;
  if (files) options.tls = { cert: readFileSync(files.certPath), key: readFileSync(files.keyPath) };
  const simulator = await startSimulator(options);
  const token = makeSimulatorToken('11111111-2222-3333-4444-555555555555', options.tenant?.id);
  process.stdout.write(
    `Graph simulator listening on ${simulator.url}\n\nTry:\n  curl -s -H "Authorization: Bearer ${token}" \\\n` +
      `    "${simulator.url}/beta/auditLogs/signIns?\\$top=5&\\$filter=signInEventTypes/any(t:%20t%20eq%20'nonInteractiveUser')"\n\n` +
      `Ground truth: ${simulator.url}/_sim/groundTruth?stream=audit&start=<ISO>&end=<ISO>   Stats: ${simulator.url}/_sim/stats\n`,
  );
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
