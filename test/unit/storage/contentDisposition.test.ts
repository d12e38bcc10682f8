import { contentDisposition, sanitizeDownloadName } from '../../../src/storage/contentDisposition';

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('Anmeldungen März 日本.csv')).toBe(
      `attachment; filename="Anmeldungen Marz __.csv"; filename*=UTF-8''Anmeldungen%20M%C3%A4rz%20%E6%97%A5%E6%9C%AC.csv`,
    );
  });

  it('cannot break out of the header or the quoted string', () => {
    const header = contentDisposition('a"b\r\nSet-Cookie: x=1; ＂.csv');
    expect(header).not.toMatch(/[\r\n]/);
    const quoted = /filename="([^"]*)"/.exec(header);
    expect(quoted?.[1]).toBe('a_bSet-Cookie_ x=1_ _.csv');
    expect(header.endsWith(`filename*=UTF-8''a_bSet-Cookie_%20x%3D1%3B%20%EF%BC%82.csv`)).toBe(true);
  });

  it('drops paths and falls back to a default name', () => {
    expect(sanitizeDownloadName('../../secret/x.csv')).toBe('x.csv');
    expect(sanitizeDownloadName('C:\\temp\\y.csv')).toBe('y.csv');
    expect(sanitizeDownloadName('...')).toBe('download');
    expect(sanitizeDownloadName('')).toBe('download');
  });
});
