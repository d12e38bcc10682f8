import { z } from 'zod';
import { ApiError, ApiRequest, echo } from '../../../src/api/http';
import { decodeCursor, encodeCursor } from '../../../src/api/listCursor';
import { integerParam, isoInstantParam, parseQuery } from '../../../src/api/query';
import { readJsonBody, refuseBody } from '../../../src/api/requestBody';

async function refusal(run: () => unknown): Promise<{ status: number; code: string } | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code };
    throw error;
  }
}

function withBody(body: Buffer | string, contentType?: string): ApiRequest {
  const url = new URL('http://localhost/api/x');
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  return { method: 'POST', url: url.toString(), query: url.searchParams, params: {}, header: (n) => headers[n] ?? null, body: async () => Buffer.from(body) };
}

describe('parseQuery', () => {
  const schema = z.object({ limit: integerParam(1, 200).optional(), from: isoInstantParam.optional() });
  const q = (text: string) => new URLSearchParams(text);

  it('parses known parameters and ignores the function key', () => {
    expect(parseQuery(schema, q('limit=20&from=2026-11-27&code=abc'))).toEqual({ limit: 20, from: '2026-11-27T00:00:00.0000000Z' });
  });

  it.each([
    ['limit=1&limit=2', 'DuplicateParameter'],
    ['from=2026-11-27&from=2026-11-28', 'DuplicateParameter'],
    ['sort=asc', 'UnknownParameter'],
    ['__proto__=1', 'UnknownParameter'],
    ['constructor=1', 'UnknownParameter'],
    ['limit=1e2', 'InvalidParameter'],
    ['limit=0x10', 'InvalidParameter'],
    ['limit=+5', 'InvalidParameter'],
    ['limit= 5', 'InvalidParameter'],
    ['limit=5.0', 'InvalidParameter'],
    ['limit=999999999999', 'InvalidParameter'],
    ['limit=', 'InvalidParameter'],
    ['from=2026-13-01', 'InvalidParameter'],
    ['from=2026-02-30', 'InvalidParameter'],
    ['from=2026-11-27T25:00:00Z', 'InvalidParameter'],
    ['from=2026-11-27T10:00:00%2B25:00', 'InvalidParameter'],
    ['from=yesterday', 'InvalidParameter'],
  ])('refuses %s with 400 %s', async (text, code) => {
    expect(await refusal(() => parseQuery(schema, q(text)))).toEqual({ status: 400, code });
  });
});

describe('list cursor', () => {
  it('round-trips the table client\'s continuation token', () => {
    const token = Buffer.from(JSON.stringify({ nextPartitionKey: 'jobs', nextRowKey: 'audit-7973' })).toString('base64');
    const cursor = encodeCursor(token) as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(decodeCursor(cursor), 'base64').toString('utf8'))).toEqual({ nextPartitionKey: 'jobs', nextRowKey: 'audit-7973' });
  });

  const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  it.each([
    ['garbage', 'garbage'],
    ['null', b64url('null')],
    ['an array', b64url([])],
    ['a number', b64url(7)],
    ['a token missing its partition', b64url({ nextRowKey: 'x' })],
    ['a partition that is an object', b64url({ nextPartitionKey: { a: 1 } })],
    ['a row key with a slash', b64url({ nextPartitionKey: 'jobs', nextRowKey: 'a/b' })],
    ['a row key with a control character', b64url({ nextPartitionKey: 'jobs', nextRowKey: 'a\u0000b' })],
    ['an extra field', b64url({ nextPartitionKey: 'jobs', evil: true })],
    ['base64 with + and =', 'eyJu+A==='],
    ['too long', 'A'.repeat(5000)],
    ['empty', ''],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe]).toString('base64url')],
  ])('refuses a cursor that is %s with 400 InvalidParameter', async (_label, cursor) => {
    expect(await refusal(() => decodeCursor(cursor))).toEqual({ status: 400, code: 'InvalidParameter' });
  });
});

describe('request bodies', () => {
  const schema = z.strictObject({ stream: z.enum(['audit']) });

  it('reads a JSON object', async () => {
    expect(await readJsonBody(withBody('{"stream":"audit"}', 'application/json; charset=utf-8'), schema)).toEqual({ stream: 'audit' });
  });

  it.each([
    ['text/plain', '{"stream":"audit"}', 415, 'UnsupportedMediaType'],
    [undefined, '{"stream":"audit"}', 415, 'UnsupportedMediaType'],
    ['application/json', '{"stream":', 400, 'InvalidBody'],
    ['application/json', '[]', 400, 'InvalidBody'],
    ['application/json', 'null', 400, 'InvalidBody'],
    ['application/json', '"audit"', 400, 'InvalidBody'],
    ['application/json', '{"stream":"audit","extra":1}', 400, 'InvalidBody'],
    ['application/json', '{"stream":"nope"}', 400, 'InvalidBody'],
    ['application/json', Buffer.from([0x7b, 0xff, 0x7d]), 400, 'InvalidBody'],
    ['application/json', `{"stream":"${'a'.repeat(70 * 1024)}"}`, 413, 'PayloadTooLarge'],
  ])('refuses a %s body %#', async (type, body, status, code) => {
    expect(await refusal(() => readJsonBody(withBody(body, type), schema))).toEqual({ status, code });
  });

  it('lets a route that takes no body accept nothing or {} and refuse anything else', async () => {
    expect(await refusal(() => refuseBody(withBody('')))).toBeUndefined();
    expect(await refusal(() => refuseBody(withBody(' {} ', 'application/json')))).toBeUndefined();
    expect(await refusal(() => refuseBody(withBody('{"force":true}', 'application/json')))).toEqual({ status: 400, code: 'InvalidBody' });
    expect(await refusal(() => refuseBody(withBody(Buffer.alloc(1024 * 1024, 0x41))))).toEqual({ status: 400, code: 'InvalidBody' });
  });
});

describe('echo', () => {
  it('quotes caller input short and without control or invisible characters', () => {
    expect(echo('a\nb\u202Ec\u200B')).toBe('"a\uFFFDb\uFFFDc\uFFFD"');
    expect(echo('x'.repeat(500), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });
});
