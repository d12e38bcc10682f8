/**
 * Reads a job's next page while the session writes the current one. Graph pages a window one nextLink at a time, so
 * one job has one request in flight; without reading ahead, the time a job spends writing a page (encoding,
 * hashing, staging blocks, checkpoints: hundreds of milliseconds for 1,000 beta sign-ins, more on a busy host) is
 * time in which it holds no place in the request budget's queue, and a grant that finds no caller waiting is lost
 * for good (Graph counts a sliding window). With the next page already asked for, the job's next request waits for
 * its grant while the page is written, and the budget sees one more caller per job.
 *
 * Reading ahead changes when a page is read, never what is written: the session asks for a page by its URL, gets
 * the page read ahead only when it is that URL (and only once), and otherwise reads it then, as before. A page read
 * ahead and not asked for (the session stopped for its time budget, restarted from its cursor, failed, or the
 * invocation died) is dropped unread; it cost one request of the budget and nothing else. Errors of a page read
 * ahead surface when the session asks for it, exactly where a read at that moment would have thrown them.
 */
import type { GraphPage } from '../graph/graphClient';

export interface PageSource {
  getPage(url: string, signal?: AbortSignal): Promise<GraphPage>;
}

interface Pending {
  url: string;
  controller: AbortController;
  page: Promise<GraphPage>;
}

export class PageReadAhead {
  private pending: Pending | undefined;

  constructor(private readonly source: PageSource) {}

  /** Starts reading `url` now (dropping any other page read ahead). */
  start(url: string): void {
    this.drop();
    const controller = new AbortController();
    const page = this.source.getPage(url, controller.signal);
    // Seen by `get` when the session asks for this page; a page never asked for is dropped with its error.
    page.catch(() => undefined);
    this.pending = { url, controller, page };
  }

  /** The page at `url`: the one read ahead when it is that URL, else read now. `signal` aborts it either way. */
  async get(url: string, signal: AbortSignal): Promise<GraphPage> {
    const pending = this.pending;
    if (!pending || pending.url !== url) {
      this.drop();
      return this.source.getPage(url, signal);
    }
    this.pending = undefined;
    const abort = (): void => pending.controller.abort(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    try {
      return await pending.page;
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** Stops the page read ahead, if any (the session is leaving, or will not ask for it). */
  drop(): void {
    this.pending?.controller.abort();
    this.pending = undefined;
  }
}
