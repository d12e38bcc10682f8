/**
 * The command line of `entra-export` (`npm run export -- …`): what to export, from when to when, in which formats,
 * into which folder. Everything is checked before anything is read from Graph; a mistake is a UsageError whose
 * message says what to write instead (exit code 2).
 */
import { parseArgs } from 'node:util';
import { FORMAT_IDS, type FormatId } from '../config';
import { STREAM_IDS, type StreamId } from '../streams/catalog';
import { formatInstant, instantFromDate, parseInstant, type Ticks } from '../time/instant';
import { filterHelpLines, wrap } from './filterHelp';

export const DEFAULT_FORMATS: readonly FormatId[] = ['jsonl.gz', 'csv'];

export interface ExportRequest {
  streams: StreamId[];
  /** Half-open range [from, to), UTC. */
  from: Ticks;
  to: Ticks;
  formats: FormatId[];
  /** `key=value` filters as the on-demand export API takes them, not yet interpreted. */
  filters: Array<{ key: string; value: string }>;
  /** The folder the files, the manifests and the checkpoint go to. */
  out: string;
  progress: boolean;
  tenantId?: string;
}

export type CommandLine = { kind: 'export'; request: ExportRequest } | { kind: 'help' } | { kind: 'version' };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: entra-export --stream <id|all> --from <time> --to <time> --out <folder> [options]
       npm run export -- --stream <id|all> --from <time> --to <time> --out <folder> [options]

Exports Microsoft Entra activity logs of [from, to) from Microsoft Graph into <folder>: the same files and
manifests the exporter writes to Blob storage. Run the same command again to resume after Ctrl+C or a dropped
connection; nothing is written twice.

${wrap(`--stream <id|all>      ${STREAM_IDS.join(', ')}, or all; repeat or separate with commas`, '  ', '                         ').join('\n')}
  --from <time>          start, inclusive: 2026-11-20T00:00:00Z, 2026-11-20T09:00:00+01:00 or 2026-11-20
                         (UTC midnight)
  --to <time>            end, exclusive, same forms; at most now
  --out <folder>         where the files go (created if missing; one export per folder)
${wrap(`--format <list>        comma-separated: ${FORMAT_IDS.join(', ')} (default ${DEFAULT_FORMATS.join(',')})`, '  ', '                         ').join('\n')}
  --filter <key=value>   only the records that match, as the on-demand export API filters them; repeatable, all
                         must match; values ignore case; name=a|b lists a closed filter's values, and name* marks
                         a filter whose value may end in * (starts with): --filter user=ana@contoso.com,
                         --filter application=Azure*, --filter status=failure. Each stream's filters:
${filterHelpLines('                           ').join('\n')}
                         With several streams every filter must apply to each. Details: docs/http-api.md, Filters.
  --tenant <id>          the tenant to sign in to (default: AZURE_TENANT_ID, else the credential's own)
  --no-progress          no progress line (on a terminal it is redrawn in place, otherwise written every 30 s)
  -h, --help             this text
  --version              the exporter's version

Signs in with DefaultAzureCredential: environment variables (AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or
certificate), workload or managed identity, or the Azure CLI (az login). GRAPH_BASE_URL selects a national cloud.
Exit codes: 0 exported, 1 internal error, 2 usage or settings, 3 sign-in or permission, 4 Graph failed (run again
to resume), 5 the folder is in use or holds another export, 6 the range is older than Entra keeps, 130 interrupted
(run again to resume). Details: docs/cli.md.`;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function instantArg(name: string, value: string | undefined): Ticks {
  if (value === undefined) throw new UsageError(`--${name} is required, e.g. --${name} 2026-11-20T00:00:00Z`);
  const text = DATE_ONLY.test(value.trim()) ? `${value.trim()}T00:00:00Z` : value;
  try {
    return parseInstant(text);
  } catch {
    throw new UsageError(`--${name} ${JSON.stringify(value)} is not a time: write an ISO 8601 time with its zone (2026-11-20T09:30:00Z, 2026-11-20T10:30:00+01:00) or a date (2026-11-20, UTC midnight)`);
  }
}

function listArg(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function streamsArg(values: readonly string[] | undefined): StreamId[] {
  const names = listArg(values);
  if (names.length === 0) throw new UsageError(`--stream is required: one of ${STREAM_IDS.join(', ')}, or all`);
  const streams = new Set<StreamId>();
  for (const name of names) {
    if (name === 'all') {
      for (const id of STREAM_IDS) streams.add(id);
      continue;
    }
    const id = STREAM_IDS.find((s) => s.toLowerCase() === name.toLowerCase());
    if (!id) throw new UsageError(`--stream ${JSON.stringify(name)} is not a stream: use ${STREAM_IDS.join(', ')} or all`);
    streams.add(id);
  }
  return STREAM_IDS.filter((id) => streams.has(id));
}

function formatsArg(values: readonly string[] | undefined): FormatId[] {
  const names = listArg(values);
  if (names.length === 0) return [...DEFAULT_FORMATS];
  const formats: FormatId[] = [];
  for (const name of names) {
    const format = FORMAT_IDS.find((f) => f === name.toLowerCase());
    if (!format) throw new UsageError(`--format ${JSON.stringify(name)} is not a format: use ${FORMAT_IDS.join(', ')}`);
    if (formats.includes(format)) throw new UsageError(`--format lists ${format} twice`);
    formats.push(format);
  }
  return formats;
}

function filtersArg(values: readonly string[] | undefined): Array<{ key: string; value: string }> {
  return (values ?? []).map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`--filter ${JSON.stringify(text)} is not key=value, e.g. --filter user=alice@contoso.com`);
    return { key: text.slice(0, at).trim(), value: text.slice(at + 1) };
  });
}

export function parseCommandLine(argv: readonly string[], now: Date): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        stream: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string', multiple: true },
        filter: { type: 'string', multiple: true },
        tenant: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const streams = streamsArg(values.stream);
  const from = instantArg('from', values.from);
  const to = instantArg('to', values.to);
  if (from >= to) throw new UsageError(`--from ${formatInstant(from)} must be before --to ${formatInstant(to)} (the range is [from, to))`);
  const nowTicks = instantFromDate(now);
  if (to > nowTicks) throw new UsageError(`--to ${formatInstant(to)} is in the future (now is ${formatInstant(nowTicks)}); Graph cannot have records after now`);
  const out = values.out?.trim();
  if (!out) throw new UsageError('--out is required: the folder the files go to, e.g. --out ./incident-4711');
  const tenantId = values.tenant?.trim();
  if (values.tenant !== undefined && !tenantId) throw new UsageError('--tenant needs the tenant id or domain');
  return {
    kind: 'export',
    request: {
      streams,
      from,
      to,
      formats: formatsArg(values.format),
      filters: filtersArg(values.filter),
      out,
      progress: !values['no-progress'],
      tenantId: tenantId || undefined,
    },
  };
}
