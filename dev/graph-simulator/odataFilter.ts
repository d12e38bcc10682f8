/**
 * A small OData `$filter` parser: paths, quoted literals with '' escapes, DateTimeOffset literals,
 * numbers, comparisons, startswith/contains, and/or/not, parentheses and `path/any(v: …)` lambdas.
 */

export type CompareOp = 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt';
export type Literal = { kind: 'string'; value: string } | { kind: 'datetime'; value: string } | { kind: 'number'; value: number } | { kind: 'null' } | { kind: 'boolean'; value: boolean };

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; op: CompareOp; path: string; literal: Literal }
  | { type: 'function'; name: 'startswith' | 'contains'; path: string; literal: Literal }
  | { type: 'any'; path: string; variable: string; body: FilterNode };

export class FilterSyntaxError extends Error {}

type Token = { t: 'path'; v: string } | { t: 'string'; v: string } | { t: 'datetime'; v: string } | { t: 'number'; v: number } | { t: 'punct'; v: '(' | ')' | ',' | ':' };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\/[A-Za-z_$][A-Za-z0-9_$]*)*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === ':') {
      tokens.push({ t: 'punct', v: c });
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError('Unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: 'string', v: value });
    } else {
      const rest = text.slice(i);
      const dt = DATETIME.exec(rest);
      if (dt) {
        tokens.push({ t: 'datetime', v: dt[0] });
        i += dt[0].length;
        continue;
      }
      const num = NUMBER.exec(rest);
      if (num) {
        tokens.push({ t: 'number', v: Number(num[0]) });
        i += num[0].length;
        continue;
      }
      const path = PATH.exec(rest);
      if (!path) throw new FilterSyntaxError(`Unexpected character ${JSON.stringify(c)}`);
      tokens.push({ t: 'path', v: path[0] });
      i += path[0].length;
    }
  }
  return tokens;
}

const COMPARE_OPS = new Set(['eq', 'ne', 'ge', 'le', 'gt', 'lt']);

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr();
    if (this.pos !== this.tokens.length) throw new FilterSyntaxError('Unexpected trailing input');
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isWord(word: string): boolean {
    const tok = this.peek();
    return tok?.t === 'path' && tok.v.toLowerCase() === word;
  }

  private expectPunct(p: string): void {
    const tok = this.tokens[this.pos++];
    if (!tok || tok.t !== 'punct' || tok.v !== p) throw new FilterSyntaxError(`Expected ${p}`);
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.pos++;
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isWord('and')) {
      this.pos++;
      left = { type: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.isWord('not')) {
      this.pos++;
      return { type: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parseLiteral(): Literal {
    const tok = this.tokens[this.pos++];
    if (!tok) throw new FilterSyntaxError('Expected a literal');
    if (tok.t === 'string') return { kind: 'string', value: tok.v };
    if (tok.t === 'datetime') return { kind: 'datetime', value: tok.v };
    if (tok.t === 'number') return { kind: 'number', value: tok.v };
    if (tok.t === 'path' && tok.v === 'null') return { kind: 'null' };
    if (tok.t === 'path' && (tok.v === 'true' || tok.v === 'false')) return { kind: 'boolean', value: tok.v === 'true' };
    throw new FilterSyntaxError('Expected a literal');
  }

  private parsePrimary(): FilterNode {
    const tok = this.tokens[this.pos];
    if (!tok) throw new FilterSyntaxError('Unexpected end of filter');
    if (tok.t === 'punct' && tok.v === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    if (tok.t !== 'path') throw new FilterSyntaxError('Expected a property');
    this.pos++;
    const lower = tok.v.toLowerCase();
    if (lower === 'startswith' || lower === 'contains') {
      this.expectPunct('(');
      const path = this.tokens[this.pos++];
      if (!path || path.t !== 'path') throw new FilterSyntaxError('Expected a property');
      this.expectPunct(',');
      const literal = this.parseLiteral();
      this.expectPunct(')');
      return { type: 'function', name: lower, path: path.v, literal };
    }
    if (tok.v.endsWith('/any')) {
      this.expectPunct('(');
      const variable = this.tokens[this.pos++];
      if (!variable || variable.t !== 'path') throw new FilterSyntaxError('Expected a lambda variable');
      this.expectPunct(':');
      const body = this.parseOr();
      this.expectPunct(')');
      return { type: 'any', path: tok.v.slice(0, -4), variable: variable.v, body };
    }
    const op = this.tokens[this.pos++];
    if (!op || op.t !== 'path' || !COMPARE_OPS.has(op.v.toLowerCase())) throw new FilterSyntaxError('Expected a comparison operator');
    return { type: 'compare', op: op.v.toLowerCase() as CompareOp, path: tok.v, literal: this.parseLiteral() };
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text)).parse();
}
