import type { GraphPage } from '../../../src/graph/graphClient';
import { PageReadAhead, type PageSource } from '../../../src/export/pageReadAhead';

interface Call {
  url: string;
  signal?: AbortSignal;
  resolve: (page: GraphPage) => void;
  reject: (error: Error) => void;
}

/** A page source whose reads the test answers by hand. */
function manualSource(): PageSource & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    getPage(url, signal) {
      return new Promise<GraphPage>((resolve, reject) => {
        calls.push({ url, signal, resolve, reject });
        signal?.addEventListener('abort', () => reject(new Error(`aborted ${url}`)), { once: true });
      });
    },
  };
}

const page = (url: string, nextLink?: string): GraphPage => ({ url, nextLink, records: [{ id: url }], attempts: 1, throttled: 0, bytes: 0 });

describe('PageReadAhead', () => {
  it('serves the page read ahead for its URL, reading it only once', async () => {
    const source = manualSource();
    const ahead = new PageReadAhead(source);
    ahead.start('https://graph/p2');
    expect(source.calls.map((c) => c.url)).toEqual(['https://graph/p2']);
    source.calls[0].resolve(page('https://graph/p2'));
    await expect(ahead.get('https://graph/p2', new AbortController().signal)).resolves.toMatchObject({ url: 'https://graph/p2' });
    expect(source.calls).toHaveLength(1);
    // Asked again (a retry of the same link), the page is read again.
    const again = ahead.get('https://graph/p2', new AbortController().signal);
    expect(source.calls).toHaveLength(2);
    source.calls[1].resolve(page('https://graph/p2'));
    await again;
  });

  it('drops a page read ahead for another URL and reads the one asked for', async () => {
    const source = manualSource();
    const ahead = new PageReadAhead(source);
    ahead.start('https://graph/old');
    const asked = ahead.get('https://graph/new', new AbortController().signal);
    expect(source.calls[0].signal?.aborted).toBe(true);
    expect(source.calls[1].url).toBe('https://graph/new');
    source.calls[1].resolve(page('https://graph/new'));
    await expect(asked).resolves.toMatchObject({ url: 'https://graph/new' });
  });

  it('throws the error of a page read ahead where the session asks for it', async () => {
    const source = manualSource();
    const ahead = new PageReadAhead(source);
    ahead.start('https://graph/p2');
    source.calls[0].reject(new Error('Graph failed'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(ahead.get('https://graph/p2', new AbortController().signal)).rejects.toThrow('Graph failed');
  });

  it('aborts the read ahead when the caller aborts, and when it is dropped unasked', async () => {
    const source = manualSource();
    const ahead = new PageReadAhead(source);
    ahead.start('https://graph/p2');
    const caller = new AbortController();
    const asked = ahead.get('https://graph/p2', caller.signal);
    caller.abort(new Error('lease lost'));
    await expect(asked).rejects.toThrow('aborted https://graph/p2');

    ahead.start('https://graph/p3');
    ahead.drop();
    expect(source.calls[1].signal?.aborted).toBe(true);
    // Its rejection is handled: nothing is left unhandled after the session moved on.
    await new Promise((resolve) => setImmediate(resolve));
  });
});
