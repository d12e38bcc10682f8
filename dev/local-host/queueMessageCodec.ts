/**
 * Queue message text as the Functions queue extension reads and writes it: base64 (or plain) text on the
 * wire, JSON parsed into an object when it parses (like the Node library's `tryJsonParse`), and output
 * values serialised as JSON unless they are already strings or bytes.
 */
export type MessageEncoding = 'base64' | 'none';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class MessageDecodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageDecodingError';
  }
}

export function decodeMessageText(text: string, encoding: MessageEncoding): string {
  if (encoding === 'none') return text;
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw new MessageDecodingError('Message is not valid base64 (host.json extensions.queues.messageEncoding is "base64")');
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function encodeMessageText(text: string, encoding: MessageEncoding): string {
  return encoding === 'none' ? text : Buffer.from(text, 'utf8').toString('base64');
}

/** What the handler receives: the parsed JSON value, or the text itself. */
export function parseMessageBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One output value to message text: strings as they are, bytes as UTF-8, everything else as JSON. */
export function serializeOutputValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return JSON.stringify(value);
}
