// The download page: stream health, the exports list, one export's files, and the on-demand export form, all over the
// exporter's HTTP API. Plain ES modules, no build step (served by GET /api/ui/{asset}).
import { ApiProblem, functionKey, signInHref } from './api.js';
import { el, statusWord } from './dom.js';
import { createExportDetails } from './exportDetails.js';
import { createExportForm } from './exportForm.js';
import { createExportsList } from './exportsList.js';
import { createHealthPanel } from './health.js';

const $ = (id) => document.getElementById(id);
const notice = $('notice');

/** Problems that stop the whole page (no key, not signed in, no role) go to the notice at the top. */
function showProblem(problem, { quiet = false } = {}) {
  const known = problem instanceof ApiProblem;
  const message = known ? problem.message : 'Something went wrong in this page; reload it.';
  const pageWide = known && ['FunctionKeyRequired', 'Unauthenticated', 'Forbidden', 'NetworkError'].includes(problem.code);
  if (quiet && !pageWide) return;
  notice.replaceChildren(el('p', {}, message, known && problem.code ? el('span', { class: 'muted', text: ` (${problem.code})` }) : null));
  if (known && problem.code === 'Unauthenticated') notice.append(el('p', {}, el('a', { href: signInHref(), text: 'Sign in' })));
  notice.hidden = false;
}

async function main() {
  if (!functionKey) $('signed-in-as').textContent = 'Calls the API with your signed-in session (add ?code=<function key> to this address to use a function key).';
  const catalog = await (await fetch(new URL('filters.json', import.meta.url), { cache: 'no-cache' })).json();

  for (const stream of catalog.streams) $('filter-stream').append(el('option', { value: stream.stream, text: stream.title }));
  for (const status of catalog.statuses) $('filter-status').append(el('option', { value: status, text: statusWord(status) }));

  const health = createHealthPanel({ table: $('health'), status: $('health-status'), refresh: $('health-refresh'), onProblem: showProblem });
  const details = createExportDetails({
    section: $('details'),
    heading: $('details-title'),
    facts: $('details-facts'),
    progress: $('details-progress'),
    files: $('details-files'),
    close: $('details-close'),
    onProblem: showProblem,
    onFinished: () => void list.load({ quiet: true }),
  });
  const list = createExportsList({
    form: $('exports-filter'),
    table: $('exports'),
    status: $('exports-status'),
    previous: $('exports-previous'),
    next: $('exports-next'),
    pageLabel: $('exports-page'),
    onOpen: (jobId) => void details.show(jobId),
    onProblem: showProblem,
  });
  createExportForm({
    form: $('new-export'),
    catalog,
    status: $('new-status'),
    onCreated: (created) => {
      void list.reset();
      void details.show(created.jobId);
    },
    onProblem: showProblem,
  });

  await Promise.all([health.load(), list.load()]);
}

main().catch((error) => showProblem(error));
