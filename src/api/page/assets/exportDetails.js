// One export: its facts, progress while it runs (refreshed until it ends), and its files with size, SHA-256 and a
// download button that goes through the API's files route (a fresh signed link on every click).
import { api, linkTo } from './api.js';
import { bytes, clear, count, el, isActive, statusBadge, utc, windowText } from './dom.js';

const REFRESH_MS = 3_000;

export function createExportDetails({ section, heading, facts, progress, files, close, onProblem, onFinished }) {
  let current;
  let timer;

  async function show(jobId, { focus = true } = {}) {
    clearTimeout(timer);
    current = jobId;
    section.hidden = false;
    heading.textContent = `Export ${jobId}`;
    if (focus) heading.focus();
    await refresh();
  }

  async function refresh() {
    const jobId = current;
    let job;
    try {
      job = await api(`exports/${encodeURIComponent(jobId)}`);
    } catch (problem) {
      onProblem(problem);
      return;
    }
    if (jobId !== current) return;
    render(job);
    if (isActive(job.status)) timer = setTimeout(() => void refresh(), REFRESH_MS);
    else onFinished(job);
  }

  function render(job) {
    clear(facts);
    const fact = (term, ...value) => facts.append(el('dt', { text: term }), el('dd', {}, ...value));
    fact('Status', statusBadge(job.status));
    fact('Stream', job.stream);
    fact('Kind', job.kind === 'adhoc' ? 'On demand' : 'Scheduled window');
    fact('Range (UTC)', windowText(job.window));
    if (job.filters && Object.keys(job.filters).length > 0) {
      fact('Filters', Object.entries(job.filters).map(([name, value]) => `${name} = ${value}`).join('; '));
    }
    fact('Records', count(job.records ?? job.counts?.records ?? null));
    if (job.counts?.filteredOut) fact('Dropped by the filters', count(job.counts.filteredOut));
    fact('Formats', job.formats.join(', '));
    if (job.revision > 1) fact('Revision', String(job.revision));
    fact('Created (UTC)', utc(job.createdAt));
    fact('Finished (UTC)', utc(job.finishedAt));
    if (job.error) fact('Last error', `${job.error.code}: ${job.error.message}`);

    clear(progress);
    if (isActive(job.status)) progress.append(progressView(job));

    clear(files);
    if (job.files && job.files.length > 0) files.append(filesTable(job));
    else if (!isActive(job.status)) files.append(el('p', { class: 'muted', text: job.status === 'empty' ? 'Graph held no matching records in this range: there are no files, only the manifest.' : 'This export has no files.' }));
    if (job.manifest) {
      files.append(el('p', {}, el('a', { class: 'button secondary', href: linkTo(job.manifest.download), text: 'Download the manifest' })));
    }
  }

  close.addEventListener('click', () => {
    clearTimeout(timer);
    current = undefined;
    section.hidden = true;
  });

  return { show };
}

function progressView(job) {
  const written = job.progress?.recordsWritten ?? 0;
  const start = Date.parse(job.window.start);
  const end = Date.parse(job.window.end);
  const cursor = job.progress?.cursor ? Date.parse(job.progress.cursor) : undefined;
  // Graph pages newest first: the export works from the end of the range back to its start.
  const done = cursor === undefined ? 0 : Math.min(1, Math.max(0, (end - cursor) / (end - start)));
  const words = job.status === 'queued'
    ? `Waiting on the queue${written ? `; ${count(written)} records written so far` : ''}.`
    : `${count(written)} records written${cursor === undefined ? '' : `, back to ${utc(job.progress.cursor)} UTC`}.`;
  return el(
    'div',
    { class: 'progress' },
    el('label', { for: 'details-progress-bar', text: 'Progress ' }),
    el('progress', { id: 'details-progress-bar', max: '100', value: String(Math.round(done * 100)) }, `${Math.round(done * 100)}%`),
    el('p', { text: words }),
  );
}

function filesTable(job) {
  const rows = job.files.map((file) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', { text: file.name })),
      el('td', { text: bytes(file.bytes) }),
      el('td', { class: 'number', text: count(file.rows ?? file.records) }),
      el('td', {}, el('code', { class: 'hash', text: file.sha256 })),
      el('td', {}, el('a', { class: 'button', href: linkTo(file.download), 'aria-label': `Download ${file.name}`, text: 'Download' })),
    ),
  );
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { id: 'files' },
      el('caption', { class: 'visually-hidden', text: `Files of export ${job.jobId}` }),
      el(
        'thead',
        {},
        el('tr', {}, ...['File', 'Size', 'Rows', 'SHA-256', 'Download'].map((name) => el('th', { scope: 'col', class: name === 'Rows' ? 'number' : undefined, text: name }))),
      ),
      el('tbody', {}, rows),
    ),
  );
}
