import { planFiles } from '../../../src/formats';
import type { FileEncoder } from '../../../src/formats/types';
import type { StreamId } from '../../../src/streams/catalog';
import { readSample } from './formatTestSupport';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function mainCsv(stream: StreamId): FileEncoder {
  return planFiles(stream, ['csv'], { neutralizeFormulas: true })[0].encoder;
}

/** The sample's first line, with CRLF: the encoder writes CRLF, the stored samples end in LF. */
function sampleLine(name: string): string {
  return readSample(name).split('\n')[0] + '\r\n';
}

describe('CSV header lines equal the admin center downloads', () => {
  it.each<[StreamId, string]>([
    ['audit', 'audit-header_2025-02_to_2026-04.csv'],
    ['interactiveSignIns', 'signin-interactive-noninteractive-header_2025-01_to_2026-04.csv'],
    ['nonInteractiveSignIns', 'signin-interactive-noninteractive-header_2025-01_to_2026-04.csv'],
  ])('%s header after the BOM is byte-for-byte %s', (stream, sample) => {
    const header = mainCsv(stream).header();
    expect(header.subarray(0, 3)).toEqual(BOM);
    expect(header.subarray(3).toString('utf8')).toBe(sampleLine(sample));
  });

  it('keeps the sign-in header quirks', () => {
    const text = mainCsv('interactiveSignIns').header().toString('utf8');
    expect(text.match(/"Incoming token type"/g)).toHaveLength(2);
    expect(text).toContain('"Application ID ","App owner tenant ID"');
    expect(text).toContain('"Resource ID ","Resource tenant ID"');
    expect(text).toContain('"Autonomous system  number"');
  });

  it('audit has 86 columns and sign-ins 57', () => {
    expect(mainCsv('audit').header().toString('utf8').split('","')).toHaveLength(86);
    expect(mainCsv('interactiveSignIns').header().toString('utf8').split('","')).toHaveLength(57);
  });

  it('ApplicationSignIns header equals the 22 published names, each quoted', () => {
    // The published line is unquoted; every field of our CSV (header too) is quoted.
    const names = readSample('applicationsignins-header_2025-12.csv').split('\n')[0].split(',');
    expect(names).toHaveLength(22);
    const expected = names.map((n) => `"${n}"`).join(',') + '\r\n';
    const header = mainCsv('servicePrincipalSignIns').header();
    expect(header.subarray(0, 3)).toEqual(BOM);
    expect(header.subarray(3).toString('utf8')).toBe(expected);
  });

  it('MSISignIns is the 22 ApplicationSignIns columns plus the four managed-identity columns', () => {
    const app = mainCsv('servicePrincipalSignIns').header().toString('utf8').replace(/\r\n$/, '');
    const msi = mainCsv('managedIdentitySignIns').header().toString('utf8');
    expect(msi).toBe(`${app},"Managed Identity type","Associated Resource Id","Federated Token Id","Federated Token Issuer"\r\n`);
  });
});
