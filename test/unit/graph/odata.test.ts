import { buildListFilter, buildListUrl, odataInstant, odataString } from '../../../src/graph/odata';
import { STREAMS, type StreamId } from '../../../src/streams/catalog';
import { parseInstant } from '../../../src/time/instant';

const start = parseInstant('2026-11-27T10:00:00Z');
const end = parseInstant('2026-11-27T11:00:00Z');

function decodedQuery(url: string): Record<string, string> {
  const query = url.slice(url.indexOf('?') + 1);
  return Object.fromEntries(query.split('&').map((pair) => {
    const [name, value] = pair.split('=');
    return [name, decodeURIComponent(value)];
  }));
}

describe('odataString', () => {
  it('quotes and doubles single quotes', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(odataString("''")).toBe("''''''");
    expect(odataString('plain')).toBe("'plain'");
    expect(odataString('')).toBe("''");
  });
  it('keeps non-ASCII text', () => {
    expect(odataString('Zoë 東京 😀')).toBe("'Zoë 東京 😀'");
  });
  it('rejects control characters and unpaired surrogates', () => {
    expect(() => odataString('a\nb')).toThrow(RangeError);
    expect(() => odataString('a\u0000')).toThrow(RangeError);
    expect(() => odataString('a\u007f')).toThrow(RangeError);
    expect(() => odataString('a\ud800b')).toThrow(RangeError);
  });
});

describe('odataInstant', () => {
  it('writes whole seconds without a fraction and anything finer with 7 digits', () => {
    expect(odataInstant(start)).toBe('2026-11-27T10:00:00Z');
    expect(odataInstant(parseInstant('2020-03-13T19:15:41.6195833Z'))).toBe('2020-03-13T19:15:41.6195833Z');
    expect(odataInstant(parseInstant('2020-03-13T19:15:41.5Z'))).toBe('2020-03-13T19:15:41.5000000Z');
  });
});

describe('buildListUrl', () => {
  const base = 'https://graph.microsoft.com';
  const expected: Record<StreamId, { path: string; filter: string; orderby: string }> = {
    audit: {
      path: '/v1.0/auditLogs/directoryAudits',
      filter: 'activityDateTime ge 2026-11-27T10:00:00Z and activityDateTime le 2026-11-27T11:00:00Z',
      orderby: 'activityDateTime desc',
    },
    interactiveSignIns: {
      path: '/beta/auditLogs/signIns',
      filter: "createdDateTime ge 2026-11-27T10:00:00Z and createdDateTime le 2026-11-27T11:00:00Z and signInEventTypes/any(t: t eq 'interactiveUser')",
      orderby: 'createdDateTime desc',
    },
    nonInteractiveSignIns: {
      path: '/beta/auditLogs/signIns',
      filter: "createdDateTime ge 2026-11-27T10:00:00Z and createdDateTime le 2026-11-27T11:00:00Z and signInEventTypes/any(t: t eq 'nonInteractiveUser')",
      orderby: 'createdDateTime desc',
    },
    servicePrincipalSignIns: {
      path: '/beta/auditLogs/signIns',
      filter: "createdDateTime ge 2026-11-27T10:00:00Z and createdDateTime le 2026-11-27T11:00:00Z and signInEventTypes/any(t: t eq 'servicePrincipal')",
      orderby: 'createdDateTime desc',
    },
    managedIdentitySignIns: {
      path: '/beta/auditLogs/signIns',
      filter: "createdDateTime ge 2026-11-27T10:00:00Z and createdDateTime le 2026-11-27T11:00:00Z and signInEventTypes/any(t: t eq 'managedIdentity')",
      orderby: 'createdDateTime desc',
    },
    provisioning: {
      path: '/v1.0/auditLogs/provisioning',
      filter: 'activityDateTime gt 2026-11-27T09:59:59Z and activityDateTime lt 2026-11-27T11:00:01Z',
      orderby: 'activityDateTime desc',
    },
  };

  for (const [id, want] of Object.entries(expected) as [StreamId, (typeof expected)[StreamId]][]) {
    it(`builds the ${id} request`, () => {
      const url = buildListUrl(base, { stream: STREAMS[id], start, end, pageSize: 1000 });
      expect(url.slice(0, url.indexOf('?'))).toBe(`${base}${want.path}`);
      expect(decodedQuery(url)).toEqual({ $filter: want.filter, $orderby: want.orderby, $top: '1000' });
    });
  }

  it('percent-encodes the query so spaces, quotes in values and colons survive', () => {
    const url = buildListUrl(`${base}/`, { stream: STREAMS.interactiveSignIns, start, end, pageSize: 999 });
    expect(url).toBe(
      'https://graph.microsoft.com/beta/auditLogs/signIns?$filter=' +
        'createdDateTime%20ge%202026-11-27T10%3A00%3A00Z%20and%20createdDateTime%20le%202026-11-27T11%3A00%3A00Z' +
        "%20and%20signInEventTypes%2Fany(t%3A%20t%20eq%20'interactiveUser')" +
        '&$orderby=createdDateTime%20desc&$top=999',
    );
    expect(url).not.toMatch(/ /);
  });

  it('writes 100 ns cursors with 7 digits and widens provisioning by a second at each end', () => {
    const cursor = parseInstant('2026-11-27T10:42:17.1234567Z');
    expect(buildListFilter({ stream: STREAMS.audit, start, end: cursor, pageSize: 1000 })).toBe(
      'activityDateTime ge 2026-11-27T10:00:00Z and activityDateTime le 2026-11-27T10:42:17.1234567Z',
    );
    expect(buildListFilter({ stream: STREAMS.provisioning, start: cursor, end, pageSize: 1000 })).toBe(
      'activityDateTime gt 2026-11-27T10:42:16.1234567Z and activityDateTime lt 2026-11-27T11:00:01Z',
    );
  });

  it('ANDs an extra filter in parentheses, escaped literals intact', () => {
    const extraFilter = `userPrincipalName eq ${odataString("o'brien@contoso.com")} or appId eq 'x'`;
    const url = buildListUrl(base, { stream: STREAMS.nonInteractiveSignIns, start, end, pageSize: 1000, extraFilter });
    expect(decodedQuery(url).$filter).toBe(
      "createdDateTime ge 2026-11-27T10:00:00Z and createdDateTime le 2026-11-27T11:00:00Z and signInEventTypes/any(t: t eq 'nonInteractiveUser')" +
        " and (userPrincipalName eq 'o''brien@contoso.com' or appId eq 'x')",
    );
  });

  it('encodes characters that would break the query string', () => {
    const url = buildListUrl(base, { stream: STREAMS.audit, start, end, pageSize: 10, extraFilter: "activityDisplayName eq 'a&b=c+d#e'" });
    expect(url).toContain('a%26b%3Dc%2Bd%23e');
    expect(decodedQuery(url).$filter).toMatch(/\(activityDisplayName eq 'a&b=c\+d#e'\)$/);
  });

  it('accepts the closed range of one instant (a resume at the window start), rejects inverted ranges and bad page sizes', () => {
    expect(decodedQuery(buildListUrl(base, { stream: STREAMS.audit, start, end: start, pageSize: 10 })).$filter).toBe(
      'activityDateTime ge 2026-11-27T10:00:00Z and activityDateTime le 2026-11-27T10:00:00Z',
    );
    expect(() => buildListUrl(base, { stream: STREAMS.audit, start: end, end: start, pageSize: 1000 })).toThrow(RangeError);
    expect(() => buildListUrl(base, { stream: STREAMS.audit, start, end, pageSize: 0 })).toThrow(RangeError);
  });
});
