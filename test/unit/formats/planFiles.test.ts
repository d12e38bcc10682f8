import { downloadFileName, encodeRecords, MAX_FILE_NAME_LENGTH, planFiles, sanitizeFileName } from '../../../src/formats';
import { parseInstant } from '../../../src/time/instant';

const options = { neutralizeFormulas: true };

describe('planFiles', () => {
  it('expands csv to every CSV file of the stream', () => {
    const files = planFiles('interactiveSignIns', ['jsonl.gz', 'csv'], options);
    expect(files.map((f) => [f.encoder.key, f.gzip, f.encoder.portalPrefix, f.encoder.blobSuffix])).toEqual([
      ['jsonl', true, 'InteractiveSignIns', ''],
      ['csv', false, 'InteractiveSignIns', ''],
      ['csv-authdetails', false, 'InteractiveSignIns_AuthDetails', 'authdetails'],
    ]);
  });

  it('keeps keys unique when a format is asked for plain and gzipped', () => {
    const keys = planFiles('provisioning', ['csv', 'csv.gz', 'json.gz'], options).map((f) => f.encoder.key);
    expect(keys).toEqual(['csv', 'csv-steps', 'csv-modifiedproperties', 'csv-gz', 'csv-steps-gz', 'csv-modifiedproperties-gz', 'json']);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('rejects a format listed twice', () => {
    expect(() => planFiles('audit', ['csv', 'csv'], options)).toThrow(RangeError);
  });

  it('passes the neutralisation option to the CSV encoders', () => {
    const record = { id: '=1', activityDateTime: '2026-11-27T10:00:00Z', activityDisplayName: '=2' };
    const on = encodeRecords(planFiles('audit', ['csv'], { neutralizeFormulas: true })[0].encoder, [record], { recordsWritten: 0 });
    const off = encodeRecords(planFiles('audit', ['csv'], { neutralizeFormulas: false })[0].encoder, [record], { recordsWritten: 0 });
    expect(on.bytes.toString()).toContain(`"'=2"`);
    expect(off.bytes.toString()).toContain('"=2"');
  });
});

describe('downloadFileName', () => {
  const [audit] = planFiles('audit', ['csv'], options).map((f) => f.encoder);
  const authDetails = planFiles('nonInteractiveSignIns', ['csv'], options)[1].encoder;
  const window = (start: string, end: string) => ({ start: parseInstant(start), end: parseInstant(end) });

  it('uses dates for whole-day windows, the end date exclusive', () => {
    expect(downloadFileName(audit, false, window('2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z'))).toBe('AuditLogs_2026-11-27_2026-11-28.csv');
    expect(downloadFileName(audit, true, window('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'))).toBe('AuditLogs_2026-11-01_2026-12-01.csv.gz');
  });

  it('adds UTC times for other windows', () => {
    expect(downloadFileName(audit, false, window('2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z'))).toBe('AuditLogs_2026-11-27T1000Z_2026-11-27T1100Z.csv');
    expect(downloadFileName(authDetails, true, window('2026-11-27T00:00:00Z', '2026-11-27T00:15:30Z'))).toBe(
      'NonInteractiveSignIns_AuthDetails_2026-11-27T0000Z_2026-11-27T001530Z.csv.gz',
    );
  });

  it('names JSON files with the stream prefix', () => {
    const json = planFiles('managedIdentitySignIns', ['json'], options)[0].encoder;
    expect(downloadFileName(json, false, window('2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z'))).toBe('MSISignIns_2026-11-27_2026-11-28.json');
  });
});

describe('sanitizeFileName', () => {
  it('strips path separators, quotes, control and bidi characters', () => {
    const traversal = sanitizeFileName('../../etc/passwd');
    expect(traversal).not.toMatch(/[/\\]|^\./);
    expect(traversal).toContain('etcpasswd');
    expect(sanitizeFileName('C:\\temp\\"evil"\r\nname.csv')).toBe('Ctempevilname.csv');
    expect(sanitizeFileName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    expect(sanitizeFileName("it's <my> file?.json")).toBe('its my file.json');
  });

  it('keeps non-ASCII letters and the extension', () => {
    expect(sanitizeFileName('Anmeldungen März.csv.gz')).toBe('Anmeldungen März.csv.gz');
  });

  it('limits the length but keeps the extension', () => {
    const name = sanitizeFileName(`${'é'.repeat(500)}.csv.gz`);
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name.endsWith('é.csv.gz')).toBe(true);
  });

  it('never returns an empty or hidden name', () => {
    expect(sanitizeFileName('')).toBe('export');
    expect(sanitizeFileName('...')).toBe('export');
    expect(sanitizeFileName('.csv')).toBe('export.csv');
    expect(sanitizeFileName('/\\"')).toBe('export');
  });
});
