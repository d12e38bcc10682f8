import { parseCommandLine, UsageError, USAGE } from '../../../src/cli/args';
import { STREAM_IDS } from '../../../src/streams/catalog';
import { parseInstant } from '../../../src/time/instant';
import { filterNames } from '../../../src/export/filters';
import { streamFilterSummary } from '../../../src/cli/filterHelp';

/** A stream's filters as the help shows them, its wrapped lines joined again. */
const helpFiltersOf = (stream: (typeof STREAM_IDS)[number]) => {
  const at = USAGE.split('\n').findIndex((line) => new RegExp(`^ +(\\w+, )*${stream}(, \\w+)*: `).test(line));
  expect(at).toBeGreaterThan(0);
  const lines = [USAGE.split('\n')[at]];
  for (const next of USAGE.split('\n').slice(at + 1)) if (/^ {29}\S/.test(next)) lines.push(next); else break;
  const shown = lines.map((l) => l.trim()).join(' ').replace(/^[\w, ]+?: /, '');
  expect(shown).toBe(streamFilterSummary(stream));
  return shown;
};

const NOW = new Date('2026-11-28T12:00:00Z');
const base = ['--stream', 'audit', '--from', '2026-11-27T00:00:00Z', '--to', '2026-11-28', '--out', './x'];
const parse = (args: string[]) => parseCommandLine(args, NOW);

describe('entra-export command line', () => {
  it('reads a full request', () => {
    const parsed = parse(['--stream', 'audit,interactiveSignIns', '--stream', 'provisioning', '--from', '2026-11-27T10:30:00+01:00', '--to', '2026-11-28', '--out', ' ./incident ', '--format', 'csv, jsonl.gz', '--format', 'diag', '--filter', 'user=alice@contoso.com', '--filter', 'status=failure', '--tenant', 'contoso.onmicrosoft.com', '--no-progress']);
    expect(parsed).toEqual({
      kind: 'export',
      request: {
        streams: ['audit', 'interactiveSignIns', 'provisioning'],
        from: parseInstant('2026-11-27T09:30:00Z'),
        to: parseInstant('2026-11-28T00:00:00Z'),
        formats: ['csv', 'jsonl.gz', 'diag'],
        filters: [{ key: 'user', value: 'alice@contoso.com' }, { key: 'status', value: 'failure' }],
        out: './incident',
        progress: false,
        tenantId: 'contoso.onmicrosoft.com',
      },
    });
  });

  it('defaults: the cloud default formats, progress on; all means every stream in catalog order', () => {
    const parsed = parse(['--stream', 'all', ...base.slice(2)]);
    expect(parsed).toMatchObject({ kind: 'export', request: { streams: [...STREAM_IDS], formats: ['jsonl.gz', 'csv'], filters: [], progress: true } });
    expect(parse(['--stream', 'AUDIT', ...base.slice(2)])).toMatchObject({ request: { streams: ['audit'] } });
  });

  it('--help and --version', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help' });
    expect(parse(['-h', '--stream', 'nope'])).toEqual({ kind: 'help' });
    expect(parse(['--version'])).toEqual({ kind: 'version' });
    expect(USAGE).toContain('Exit codes');
  });

  it('--help lists each stream\'s filters from the filter module, in lines of at most 118 characters', () => {
    for (const stream of STREAM_IDS) {
      for (const name of filterNames(stream)) expect(helpFiltersOf(stream)).toContain(name);
    }
    expect(helpFiltersOf('provisioning')).toBe('application*, status=success|failure|skipped|warning, identity*, action=create|update|delete|disable|stagedDelete|other');
    expect(helpFiltersOf('managedIdentitySignIns')).toBe('application*, status=success|failure|interrupted, correlationId');
    expect(USAGE).toContain('interactiveSignIns, nonInteractiveSignIns: user*, application*,');
    expect(USAGE.split('\n').filter((line) => line.length > 118)).toEqual([]);
  });

  it.each([
    [[], /--stream is required/],
    [['--stream', 'signins', ...base.slice(2)], /"signins" is not a stream: use audit, interactiveSignIns/],
    [['--stream', 'audit', '--to', '2026-11-28', '--out', 'x'], /--from is required/],
    [['--stream', 'audit', '--from', 'yesterday', '--to', '2026-11-28', '--out', 'x'], /--from "yesterday" is not a time/],
    [['--stream', 'audit', '--from', '2026-11-27T10:00:00', '--to', '2026-11-28', '--out', 'x'], /is not a time: write an ISO 8601 time with its zone/],
    [['--stream', 'audit', '--from', '2026-02-30', '--to', '2026-11-28', '--out', 'x'], /is not a time/],
    [['--stream', 'audit', '--from', '2026-11-28', '--to', '2026-11-27', '--out', 'x'], /must be before --to/],
    [['--stream', 'audit', '--from', '2026-11-28', '--to', '2026-11-29', '--out', 'x'], /is in the future/],
    [['--stream', 'audit', '--from', '2026-11-27', '--to', '2026-11-28'], /--out is required/],
    [[...base, '--format', 'xml'], /"xml" is not a format/],
    [[...base, '--format', 'csv,csv'], /lists csv twice/],
    [[...base, '--filter', 'user'], /is not key=value/],
    [[...base, '--bogus'], /Unknown option '--bogus'/],
    [[...base, 'extra'], /Unexpected argument 'extra'/],
    [[...base, '--tenant', ' '], /--tenant needs/],
  ] as Array<[string[], RegExp]>)('refuses %j', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });
});
