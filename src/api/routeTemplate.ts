/**
 * Function route templates as the Functions host (ASP.NET Core routing) reads them (used by the catch-all route to
 * tell 404 from 405, and by the local host to route requests): literal segments match
 * case-insensitively, `{name}` takes one segment, `{name?}` an optional one, `{*name}` the rest of the path,
 * and `{name:int}` / `:alpha` / `:guid` / `:bool` constrain a segment (other constraints are accepted, unchecked).
 */
export interface CompiledRoute {
  template: string;
  /** Literal segments count: more literals win when two templates match the same path. */
  literalSegments: number;
  /** The route values for `path` (leading slash, percent-encoded), or undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

export class RouteTemplateError extends Error {
  constructor(template: string, message: string) {
    super(`Route template "${template}": ${message}`);
    this.name = 'RouteTemplateError';
  }
}

const CONSTRAINT_PATTERNS: Record<string, string> = {
  int: '-?\\d+',
  long: '-?\\d+',
  alpha: '[A-Za-z]+',
  bool: '(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])',
  guid: '[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}',
};

const PARAMETER = /\{([^{}]+)\}/g;

export function compileRoute(template: string): CompiledRoute {
  const names: string[] = [];
  let pattern = '';
  let literalSegments = 0;
  const segments = template.split('/').filter((s) => s.length > 0);
  segments.forEach((segment, index) => {
    const whole = /^\{([^{}]+)\}$/.exec(segment);
    if (whole) {
      const parameter = parseParameter(template, whole[1] as string);
      names.push(parameter.name);
      if (parameter.catchAll) {
        if (index !== segments.length - 1) throw new RouteTemplateError(template, 'a catch-all parameter must be the last segment');
        pattern += '(?:/(.*))?';
      } else if (parameter.optional) {
        pattern += `(?:/(${parameter.valuePattern}))?`;
      } else {
        pattern += `/(${parameter.valuePattern})`;
      }
      return;
    }
    literalSegments += 1;
    let last = 0;
    pattern += '/';
    for (const match of segment.matchAll(PARAMETER)) {
      pattern += escapeRegExp(segment.slice(last, match.index));
      const parameter = parseParameter(template, match[1] as string);
      names.push(parameter.name);
      pattern += `(${parameter.valuePattern})`;
      last = (match.index ?? 0) + match[0].length;
    }
    pattern += escapeRegExp(segment.slice(last));
  });
  const regex = new RegExp(`^${pattern}/?$`, 'i');
  return {
    template,
    literalSegments,
    match(path) {
      const found = regex.exec(path);
      if (!found) return undefined;
      const values: Record<string, string> = {};
      names.forEach((name, i) => {
        const raw = found[i + 1];
        if (raw !== undefined && raw !== '') values[name] = safeDecode(raw);
      });
      return values;
    },
  };
}

interface RouteParameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  valuePattern: string;
}

function parseParameter(template: string, text: string): RouteParameter {
  const catchAll = text.startsWith('*');
  const body = catchAll ? text.slice(1).replace(/^\*/, '') : text;
  const optional = body.endsWith('?');
  const [name, ...constraints] = (optional ? body.slice(0, -1) : body).split(':');
  if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RouteTemplateError(template, `bad parameter "{${text}}"`);
  const known = constraints.map((c) => CONSTRAINT_PATTERNS[c.replace(/\(.*\)$/, '').toLowerCase()]).find(Boolean);
  return { name, optional, catchAll, valuePattern: known ?? '[^/]+' };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
