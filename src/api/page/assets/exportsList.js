// The exports list: GET /api/exports with stream, status, kind and date filters, a page at a time (the API's cursor),
// refreshed while any listed export is still queued or running.
import { api } from './api.js';
import { clear, count, el, isActive, statusBadge, utc, windowText } from './dom.js';

const PAGE_SIZE = 20;
const REFRESH_MS = 10_000;

export function createExportsList({ form, table, status, previous, next, pageLabel, onOpen, onProblem }) {
  const body = table.querySelector('tbody');
  /** Cursors of the pages shown so far: cursors[i] opens page i (undefined for the first). */
  let cursors = [undefined];
  let page = 0;
  let nextCursor = null;
  let timer;
  let selected;

  function query() {
    const data = new FormData(form);
    const value = (name) => String(data.get(name) ?? '');
    return { stream: value('stream'), status: value('status'), kind: value('kind'), from: value('from'), to: value('to'), limit: String(PAGE_SIZE) };
  }

  async function load({ quiet = false } = {}) {
    clearTimeout(timer);
    if (!quiet) status.textContent = 'Loading exports…';
    try {
      const result = await api('exports', { query: { ...query(), cursor: cursors[page] } });
      render(result.exports);
      nextCursor = result.nextCursor;
      previous.disabled = page === 0;
      next.disabled = !nextCursor;
      pageLabel.textContent = `Page ${page + 1}`;
      status.textContent = result.exports.length === 0 ? 'No exports match these filters.' : `${result.exports.length} export(s) on this page.`;
      if (result.exports.some((e) => isActive(e.status))) timer = setTimeout(() => void load({ quiet: true }), REFRESH_MS);
    } catch (problem) {
      status.textContent = 'The exports could not be loaded.';
      onProblem(problem);
    }
  }

  function render(exports) {
    clear(body);
    for (const item of exports) {
      const open = el('button', { type: 'button', class: 'link', text: item.jobId, onclick: () => select(item.jobId) });
      body.append(
        el(
          'tr',
          { 'data-job-id': item.jobId, class: item.jobId === selected ? 'selected' : undefined },
          el('td', {}, open, item.kind === 'adhoc' ? el('div', { class: 'muted', text: 'on demand' }) : null),
          el('td', { text: item.stream }),
          el('td', { text: windowText(item.window) }),
          el('td', {}, statusBadge(item.status), item.error ? el('div', { class: 'muted', text: `${item.error.code}: ${item.error.message}` }) : null),
          el('td', { class: 'number', text: count(item.records) }),
          el('td', { text: utc(item.finishedAt) }),
        ),
      );
    }
  }

  function select(jobId) {
    selected = jobId;
    for (const row of body.querySelectorAll('tr')) row.classList.toggle('selected', row.dataset.jobId === jobId);
    onOpen(jobId);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors = [undefined];
    page = 0;
    void load();
  });
  previous.addEventListener('click', () => {
    if (page === 0) return;
    page -= 1;
    void load();
  });
  next.addEventListener('click', () => {
    if (!nextCursor) return;
    cursors[page + 1] = nextCursor;
    page += 1;
    void load();
  });

  return { load, reset: () => ((cursors = [undefined]), (page = 0), load()) };
}
