// Stream health at a glance: GET /api/streams, one row per stream, its state in words (never colour alone).
import { api } from './api.js';
import { clear, count, el, minutes, utc } from './dom.js';

/** Minutes beyond a stream's expected lag (its lag setting plus a window) before it counts as behind. */
const BEHIND_MARGIN_MINUTES = 30;
const REFRESH_MS = 60_000;

function state(stream) {
  if (!stream.enabled) return ['Disabled', 'neutral', 'Turned off by its STREAM_<ID>_ENABLED setting.'];
  if (stream.paused) {
    return ['Paused', 'bad', `Until ${utc(stream.paused.until)} UTC: ${stream.paused.reason ?? stream.paused.code ?? 'Graph refused the stream'}`];
  }
  if (stream.failed > 0 || stream.lostToRetention > 0) return ['Needs attention', 'bad', 'Some windows failed or were lost to retention; see the exports below.'];
  if (stream.exportedThrough === null) return ['Not started', 'neutral', 'The planner has not run for this stream yet.'];
  if (stream.lagMinutes > stream.expectedLagMinutes + BEHIND_MARGIN_MINUTES) {
    return ['Behind', 'warn', `Expected at most about ${minutes(stream.expectedLagMinutes)} behind.`];
  }
  return ['Healthy', 'ok', undefined];
}

export function createHealthPanel({ table, status, refresh, onProblem }) {
  const body = table.querySelector('tbody');
  let timer;

  async function load() {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), REFRESH_MS);
    status.textContent = 'Loading stream health…';
    try {
      const { streams, generatedAt } = await api('streams');
      clear(body);
      for (const stream of streams) {
        const [word, tone, detail] = state(stream);
        body.append(
          el(
            'tr',
            { 'data-stream': stream.stream },
            el('th', { scope: 'row' }, stream.title, el('br'), el('code', { class: 'muted', text: stream.stream })),
            el('td', {}, el('span', { class: `badge ${tone}`, text: word }), detail ? el('div', { class: 'muted', text: detail }) : null),
            el('td', { text: utc(stream.exportedThrough) }),
            el('td', { text: minutes(stream.lagMinutes) }),
            el('td', { class: 'number', text: count(stream.queued) }),
            el('td', { class: 'number', text: count(stream.running) }),
            el('td', { class: 'number', text: count(stream.failed) }),
            el('td', { class: 'number', text: count(stream.lostToRetention) }),
            el('td', { class: 'number', text: count(stream.lateRecordsFound) }),
            el('td', { text: utc(stream.lastSuccessAt) }),
          ),
        );
      }
      status.textContent = `Updated ${utc(generatedAt)} UTC.`;
    } catch (problem) {
      status.textContent = 'Stream health could not be loaded.';
      onProblem(problem);
    }
  }

  refresh.addEventListener('click', () => void load());
  return { load };
}
