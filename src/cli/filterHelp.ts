/**
 * The `--filter` part of `entra-export --help`, written from the on-demand export's filter tables
 * (src/export/filters), so the help lists exactly the filters each stream takes and the values of closed ones.
 */
import { filterNames, filterTable } from '../export/filters';
import { STREAM_IDS, type StreamId } from '../streams/catalog';

const WIDTH = 118;

/** One stream's filters: `user`, `status=success|failure`; a `*` where a trailing `*` (starts with) is accepted. */
export function streamFilterSummary(stream: StreamId): string {
  const table = filterTable(stream);
  return filterNames(stream)
    .map((name) => {
      const definition = table[name]!;
      return `${name}${definition.values ? `=${definition.values.join('|')}` : ''}${definition.allowPrefix ? '*' : ''}`;
    })
    .join(', ');
}

/** `text` in lines of at most 118 characters: the first starts with `indent`, the others with `continuation`. */
export function wrap(text: string, indent: string, continuation: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = continuation;
    }
    line += line.trim() === '' ? word : ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** Lines listing each stream's filters; streams that take the same filters share a line. */
export function filterHelpLines(indent: string): string[] {
  const groups = new Map<string, StreamId[]>();
  for (const stream of STREAM_IDS) {
    const summary = streamFilterSummary(stream);
    groups.set(summary, [...(groups.get(summary) ?? []), stream]);
  }
  return [...groups].flatMap(([summary, streams]) => wrap(`${streams.join(', ')}: ${summary}`, indent, `${indent}  `));
}
