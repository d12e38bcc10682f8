import { parse } from 'csv-parse/sync';
import { csvRow, quoteCsvField } from '../../../src/formats/csv/csvField';
import { dateCell, locationCell, signInStatusWord, wordFor } from '../../../src/formats/csv/displayValues';

describe('CSV fields', () => {
  it('quotes every field and doubles embedded quotes', () => {
    expect(quoteCsvField('plain', true)).toBe('"plain"');
    expect(quoteCsvField('say "hi"', true)).toBe('"say ""hi"""');
    expect(quoteCsvField('"', true)).toBe('""""');
    expect(quoteCsvField('', true)).toBe('""');
    expect(quoteCsvField(null, true)).toBe('""');
    expect(quoteCsvField(undefined, true)).toBe('""');
  });

  it('writes numbers and booleans as text without neutralising them', () => {
    expect(quoteCsvField(-5, true)).toBe('"-5"');
    expect(quoteCsvField(0, true)).toBe('"0"');
    expect(quoteCsvField(false, true)).toBe('"false"');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('neutralises %j only when asked', (text) => {
    expect(quoteCsvField(text, true)).toBe(`"'${text}"`);
    expect(quoteCsvField(text, false)).toBe(`"${text}"`);
  });

  it('leaves text with formula characters later in the value alone', () => {
    expect(quoteCsvField('a=b', true)).toBe('"a=b"');
    expect(quoteCsvField(' =x', true)).toBe('" =x"');
  });

  it('ends rows with CRLF and round-trips hard values through a CSV parser', () => {
    const values = ['a,b', 'line\r\nbreak', 'lf\nonly', 'quote " inside', 'ünïcødé 日本 🙂', ''];
    const text = csvRow(values, false) + csvRow(['x', 'y', 'z', 'q', 'r', 's'], false);
    expect(text.endsWith('"s"\r\n')).toBe(true);
    expect(parse(text)).toEqual([values, ['x', 'y', 'z', 'q', 'r', 's']]);
  });
});

describe('display values', () => {
  it('keeps Graph date precision and converts offsets to UTC', () => {
    expect(dateCell('2024-07-23T18:09:04.1502113Z')).toBe('2024-07-23T18:09:04.1502113Z');
    expect(dateCell('2024-07-23T18:09:04Z')).toBe('2024-07-23T18:09:04Z');
    expect(dateCell('2024-07-23T20:09:04.5+02:00')).toBe('2024-07-23T18:09:04.5000000Z');
    expect(dateCell(null)).toBeUndefined();
  });

  it('derives Status from the error code', () => {
    expect(signInStatusWord({ status: { errorCode: 0 } })).toBe('Success');
    expect(signInStatusWord({ status: { errorCode: 50074 } })).toBe('Interrupted');
    expect(signInStatusWord({ status: { errorCode: 50126 } })).toBe('Failure');
    expect(signInStatusWord({})).toBeUndefined();
  });

  it('builds Location from its present parts', () => {
    expect(locationCell({ location: { city: 'Melbourne', state: 'Victoria', countryOrRegion: 'AU' } })).toBe('Melbourne, Victoria, AU');
    expect(locationCell({ location: { city: '', state: null, countryOrRegion: 'DE' } })).toBe('DE');
    expect(locationCell({ location: null })).toBeUndefined();
  });

  it('keeps enum values it has no word for', () => {
    expect(wordFor({ a: 'A' }, 'a')).toBe('A');
    expect(wordFor({ a: 'A' }, 'unknownFutureValue')).toBe('unknownFutureValue');
    expect(wordFor({ a: 'A' }, 'a,b')).toBe('A, b');
    expect(wordFor({ a: 'A' }, 'toString')).toBe('toString');
  });
});
