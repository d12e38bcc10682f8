/**
 * `Content-Disposition: attachment` with the download name twice (RFC 6266): a plain ASCII `filename` for old
 * clients and `filename*=UTF-8''…` (RFC 8187) for the exact name. The name is sanitised first: no path, no
 * control characters, no quotes or backslashes, so it cannot break out of the header or the quoted string.
 */
const MAX_NAME_CHARS = 200;
const FALLBACK_NAME = 'download';

export function sanitizeDownloadName(downloadName: string): string {
  const lastSegment = downloadName.split(/[/\\]/).pop() ?? '';
  const cleaned = Array.from(lastSegment.normalize('NFC'))
    .filter((ch) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(ch))
    .join('')
    .replace(/["*:<>?|]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  const clipped = Array.from(cleaned).slice(0, MAX_NAME_CHARS).join('');
  return clipped === '' ? FALLBACK_NAME : clipped;
}

/** RFC 8187 value characters: attr-char stays, everything else is percent-encoded UTF-8. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(downloadName: string): string {
  const name = sanitizeDownloadName(downloadName);
  const ascii = Array.from(name.normalize('NFKD').replace(/\p{M}/gu, ''))
    .map((ch) => (/^[\x20-\x7e]$/.test(ch) ? ch : '_'))
    .join('')
    .replace(/[%;"\\/]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
