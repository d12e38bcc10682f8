/**
 * `entra-export`: arguments → settings → sign-in (fails fast, names the tenant) → the folder (lock, checkpoint) →
 * every stream exported → a summary and an exit code (exitCodes.ts). Streams and the process are passed in, so the
 * tests drive the same function the binary runs.
 */
import { mkdir } from 'node:fs/promises';
import { ConfigError, loadConfig, type AppConfig } from '../config';
import { createGraphCredential, tenantIdOfToken } from '../graph/credentials';
import { createGraphClient } from '../graph/graphClient';
import type { Logger } from '../export/logger';
import { EXPORTER_VERSION } from '../export/manifest';
import { LocalFileStore } from '../storage/localFileStore';
import { STREAMS } from '../streams/catalog';
import { formatInstant, instantFromDate, TICKS_PER_MINUTE } from '../time/instant';
import { parseCommandLine, UsageError, USAGE, type ExportRequest } from './args';
import { EXIT, exitCodeForFailures } from './exitCodes';
import { ExportFolder, FolderInUseError } from './exportFolder';
import { LocalExport, streamFilters } from './localExport';
import { FilterError } from '../export/filters';
import { ProgressReporter, type ProgressOutput } from './progress';
import { summaryLines } from './summary';

export interface CommandIo {
  stdout: ProgressOutput;
  stderr: ProgressOutput;
  env: Record<string, string | undefined>;
  now: () => Date;
  /** Called with the handler to run on Ctrl+C / SIGTERM; the handler resolves with the exit code. */
  onInterrupt?: (handler: (signal: 'SIGINT' | 'SIGTERM') => Promise<number>) => void;
}

const DAY_TICKS = 24n * 60n * TICKS_PER_MINUTE;

/** The settings of a command-line export: the app's settings, minus storage, with the command line's choices. */
export function cliConfig(request: ExportRequest, env: CommandIo['env']): AppConfig {
  return loadConfig(
    {
      GRAPH_AUTH_MODE: 'defaultAzureCredential',
      ...env,
      // One process, one budget; the range is one job per stream that never needs to yield.
      GRAPH_BUDGET: 'process',
      WORKER_TIME_BUDGET_SECONDS: '7200',
      EXPORT_FORMATS: request.formats.join(','),
      ...(request.tenantId ? { AZURE_TENANT_ID: request.tenantId } : {}),
    },
    { storage: 'none' },
  );
}

function stderrLogger(stderr: ProgressOutput, progress: () => ProgressReporter | undefined): Logger {
  const write = (level: string, message: string) => {
    progress()?.stop();
    stderr.write(`${level}${message}\n`);
    progress()?.start();
  };
  return { info: (m) => write('', m), warn: (m) => write('warning: ', m), error: (m) => write('error: ', m) };
}

function signInAdvice(config: AppConfig): string {
  return [
    'Sign in first, one of:',
    '  az login --tenant <tenant id or domain>   (national clouds: az cloud set --name AzureUSGovernment | AzureChinaCloud first)',
    '  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) of an app registration',
    '  a managed identity (on an Azure VM, with AZURE_CLIENT_ID for a user-assigned one)',
    `Graph: ${config.graph.baseUrl}, token scope ${config.graph.scope}${config.graph.authorityHost ? `, authority ${config.graph.authorityHost}` : ''}.`,
  ].join('\n');
}

export async function runCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { stdout, stderr } = io;
  let request: ExportRequest;
  try {
    const parsed = parseCommandLine(argv, io.now());
    if (parsed.kind === 'help') {
      stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (parsed.kind === 'version') {
      stdout.write(`entra-export ${EXPORTER_VERSION}\n`);
      return EXIT.ok;
    }
    request = parsed.request;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`entra-export: ${error.message}\nRun entra-export --help for the options.\n`);
    return EXIT.usage;
  }
  try {
    for (const stream of request.streams) streamFilters(stream, request);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    stderr.write(`entra-export: --filter ${error.filter}: ${error.message}${request.streams.length > 1 ? ' (with several streams, every filter must apply to each; export them separately)' : ''}\n`);
    return EXIT.usage;
  }

  let config: AppConfig;
  try {
    config = cliConfig(request, io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`entra-export: ${error.message}\n`);
    return EXIT.usage;
  }

  const now = instantFromDate(io.now());
  const oldest = now - BigInt(config.retentionDays) * DAY_TICKS;
  if (request.from < oldest) {
    stderr.write(
      `entra-export: --from ${formatInstant(request.from)} is older than Entra keeps activity logs (${config.retentionDays} days, ENTRA_RETENTION_DAYS): ` +
        `Graph serves nothing before about ${formatInstant(oldest)}. Start at or after that.\n`,
    );
    return EXIT.retention;
  }
  for (const stream of request.streams) {
    const settled = now - BigInt(STREAMS[stream].defaultLagMinutes) * TICKS_PER_MINUTE;
    if (request.to > settled) {
      stderr.write(`warning: ${stream}: Entra may still publish records of the last ${STREAMS[stream].defaultLagMinutes} minutes before --to; export that part again later to be sure it is complete.\n`);
    }
  }

  // Sign in before touching the folder: a wrong account or cloud fails here, with advice, not after the first page.
  const credential = createGraphCredential(config.graph);
  let tenantId: string | undefined;
  try {
    const token = await credential.getToken(config.graph.scope);
    if (!token) throw new Error('the credential returned no token');
    tenantId = tenantIdOfToken(token.token) ?? config.graph.tenantId;
  } catch (error) {
    stderr.write(`entra-export: could not sign in to Microsoft Graph: ${(error as Error).message.split('\n')[0]}\n${signInAdvice(config)}\n`);
    return EXIT.auth;
  }
  config.graph.tenantId = tenantId;

  let progress: ProgressReporter | undefined;
  const log = stderrLogger(stderr, () => progress);
  progress = new ProgressReporter(request.streams, { from: request.from, to: request.to }, stderr, { enabled: request.progress });
  const graph = createGraphClient(config.graph, { credential, onEvent: (event) => progress?.onGraphEvent(event) });
  await mkdir(request.out, { recursive: true });
  const files = new LocalFileStore(request.out);
  const folder = new ExportFolder(request.out);
  const run = new LocalExport(request, { config, graph, folder, files, progress, log, now: io.now });

  try {
    const { resumed } = await run.open(tenantId);
    stderr.write(`${resumed ? 'Resuming' : 'Exporting'} ${request.streams.join(', ')} of tenant ${tenantId ?? '(unknown)'} from ${formatInstant(request.from)} to ${formatInstant(request.to)} into ${request.out}\n`);
  } catch (error) {
    if (error instanceof FolderInUseError) {
      stderr.write(`entra-export: ${error.message}\n`);
      await run.close().catch(() => undefined);
      return EXIT.folder;
    }
    throw error;
  }

  io.onInterrupt?.(async (signal) => {
    progress?.stop();
    progress = undefined;
    await run.settled();
    await run.close().catch(() => undefined);
    stderr.write(`\nStopped by ${signal === 'SIGINT' ? 'Ctrl+C' : 'SIGTERM'}. Everything up to the last checkpoint is kept in ${request.out}; run the same command again to resume.\n`);
    return signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
  });

  progress.start();
  try {
    const result = await run.run();
    const totals = progress.totals();
    progress.stop();
    for (const line of summaryLines(result, totals, request, tenantId)) stdout.write(`${line}\n`);
    for (const failure of result.failures) stderr.write(`error: ${failure.stream}: ${failure.error.code}: ${failure.error.message}\n`);
    if (result.failures.some((f) => f.signIn || f.error.code === 'PermissionMissing')) stderr.write(`${signInAdvice(config)}\n`);
    return exitCodeForFailures(result.failures);
  } finally {
    progress?.stop();
    await run.close();
  }
}
