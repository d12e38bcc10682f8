// The on-demand export form: stream, range (UTC), the stream's own filters (from filters.json, generated from the
// product's filter module) and formats; POST /api/exports, then the new export opens below. An error that names a
// field is shown at that field and moves the focus there.
import { api } from './api.js';
import { clear, el } from './dom.js';

const LABELS = {
  user: 'User',
  application: 'Application',
  status: 'Status',
  ipAddress: 'IP address',
  correlationId: 'Correlation ID',
  category: 'Category',
  activity: 'Activity',
  service: 'Service',
  initiatedBy: 'Initiated by (actor)',
  target: 'Target',
  identity: 'Identity',
  action: 'Action',
};
const DEFAULT_FORMATS = ['csv', 'json'];

/** `YYYY-MM-DDTHH:MM` in UTC, what a datetime-local input holds. */
function inputValue(date) {
  return date.toISOString().slice(0, 16);
}

export function createExportForm({ form, catalog, status, onCreated, onProblem }) {
  const streamSelect = form.querySelector('#new-stream');
  const filterFields = form.querySelector('#new-filter-fields');
  const formatBoxes = form.querySelector('#new-format-boxes');
  const submit = form.querySelector('#new-submit');

  for (const stream of catalog.streams) streamSelect.append(el('option', { value: stream.stream, text: stream.title }));
  for (const format of catalog.formats) {
    formatBoxes.append(
      el('label', {}, el('input', { type: 'checkbox', name: 'formats', value: format, checked: DEFAULT_FORMATS.includes(format) }), format),
    );
  }
  const now = new Date();
  now.setUTCSeconds(0, 0);
  form.querySelector('#new-to').value = inputValue(now);
  form.querySelector('#new-from').value = inputValue(new Date(now.getTime() - 3 * 3600_000));

  function renderFilters() {
    clear(filterFields);
    const stream = catalog.streams.find((s) => s.stream === streamSelect.value);
    for (const filter of stream?.filters ?? []) {
      const id = `new-filter-${filter.name}`;
      const hint = `${filter.matches}${filter.prefix ? '. End with * for "starts with".' : '.'}`;
      const input = filter.values
        ? el('select', { id, name: `filter.${filter.name}`, 'aria-describedby': `${id}-hint ${id}-error` }, el('option', { value: '', text: 'Any' }), filter.values.map((v) => el('option', { value: v, text: v })))
        : el('input', { id, name: `filter.${filter.name}`, type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint ${id}-error` });
      filterFields.append(
        el(
          'div',
          { class: 'field' },
          el('label', { for: id, text: LABELS[filter.name] ?? filter.name }),
          input,
          el('p', { class: 'hint', id: `${id}-hint`, text: hint }),
          el('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
        ),
      );
    }
  }

  function clearErrors() {
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute('aria-invalid');
    for (const node of form.querySelectorAll('.field-error')) {
      node.hidden = true;
      node.textContent = '';
    }
  }

  /** The control and error paragraph for an API error's `target` (`from`, `formats[1]`, `filters.user`). */
  function fieldFor(target) {
    if (!target) return undefined;
    if (target.startsWith('formats')) return { control: formatBoxes.querySelector('input'), error: form.querySelector('#new-formats-error') };
    const id = target.startsWith('filters.') ? `new-filter-${target.slice('filters.'.length)}` : `new-${target}`;
    const control = form.querySelector(`#${CSS.escape(id)}`);
    return control ? { control, error: form.querySelector(`#${CSS.escape(id)}-error`) } : undefined;
  }

  function body() {
    const data = new FormData(form);
    const request = { stream: String(data.get('stream') ?? '') };
    for (const name of ['from', 'to']) {
      const value = String(data.get(name) ?? '');
      if (value) request[name] = `${value.length === 16 ? `${value}:00` : value}Z`;
    }
    const filters = {};
    for (const [name, value] of data.entries()) {
      if (name.startsWith('filter.') && String(value).trim() !== '') filters[name.slice('filter.'.length)] = String(value);
    }
    if (Object.keys(filters).length > 0) request.filters = filters;
    const formats = data.getAll('formats').map(String);
    if (formats.length > 0) request.formats = formats;
    return request;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    submit.disabled = true;
    status.textContent = 'Starting the export…';
    try {
      const created = await api('exports', { method: 'POST', body: body() });
      status.textContent = `Export ${created.jobId} is queued. Its progress is shown above.`;
      onCreated(created);
    } catch (problem) {
      const field = fieldFor(problem.target);
      if (field?.control) {
        field.control.setAttribute('aria-invalid', 'true');
        if (field.error) {
          field.error.textContent = problem.message;
          field.error.hidden = false;
        }
        status.textContent = `The export was not started: ${problem.message}`;
        field.control.focus();
      } else {
        status.textContent = `The export was not started: ${problem.message}`;
        onProblem(problem, { quiet: true });
      }
    } finally {
      submit.disabled = false;
    }
  });

  streamSelect.addEventListener('change', renderFilters);
  renderFilters();
}
