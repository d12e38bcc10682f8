// Small DOM and formatting helpers. Text always goes in through textContent, never as HTML.

/** el('td', { class: 'number' }, 'text', childNode) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** `2026-11-28 06:00` (UTC); seconds only when not zero. */
export function utc(iso) {
  if (!iso) return '—';
  const text = new Date(iso).toISOString();
  const seconds = text.slice(17, 19);
  return `${text.slice(0, 10)} ${text.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`}`;
}

export function windowText(window) {
  return `${utc(window.start)} – ${utc(window.end)}`;
}

const NUMBER = new Intl.NumberFormat('en');

export function count(value) {
  return value === null || value === undefined ? '—' : NUMBER.format(value);
}

/** `1.4 MB` with the exact byte count beside it. */
export function bytes(value) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let size = value;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit += 1;
  }
  const short = unit === 0 ? `${value} bytes` : `${size.toFixed(size >= 100 ? 0 : 1)} ${units[unit]}`;
  return unit === 0 ? short : `${short} (${NUMBER.format(value)} bytes)`;
}

export function minutes(total) {
  if (total === null || total === undefined) return '—';
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  const parts = [];
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (mins || parts.length === 0) parts.push(`${mins} min`);
  return parts.join(' ');
}

const STATUS_WORDS = {
  queued: ['Queued', 'neutral'],
  running: ['Running', 'warn'],
  succeeded: ['Succeeded', 'ok'],
  empty: ['No records', 'ok'],
  failed: ['Failed', 'bad'],
  lostToRetention: ['Lost to retention', 'bad'],
  outsideRetention: ['Lost to retention', 'bad'],
};

export function statusWord(status) {
  return (STATUS_WORDS[status] ?? [status])[0];
}

export function statusBadge(status) {
  const [word, tone] = STATUS_WORDS[status] ?? [status, 'neutral'];
  return el('span', { class: `badge ${tone}`, text: word });
}

export function isActive(status) {
  return status === 'queued' || status === 'running';
}
