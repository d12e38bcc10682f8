/**
 * A small evaluator for the ARM template expressions Bicep emits (`[format('{0}', parameters('x'))]`), enough to
 * read a compiled template the way Azure would at deployment time: parameters, variables, conditions, string and
 * object functions, lambdas, copy loops and module outputs. Anything that only Azure knows at deployment time
 * (reference() of a real resource, subscription(), guid(), ...) evaluates to an `Unresolved` value that remembers
 * its source text, so tests can still inspect it.
 */

export class Unresolved {
  constructor(readonly text: string) {}
  toString(): string {
    return `<unresolved:${this.text}>`;
  }
}

export type ArmValue = unknown;

type Node =
  | { kind: 'literal'; value: ArmValue }
  | { kind: 'call'; name: string; args: Node[]; text: string }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

/** What a function call can see: the template scope plus lambda variables and the copy index. */
export interface EvaluationContext {
  parameter(name: string): ArmValue;
  variable(name: string): ArmValue;
  /** `reference(...)` of a module deployment in the same template; undefined when it is not one. */
  deploymentOutputs(name: string): Record<string, ArmValue> | undefined;
  copyIndex?: number;
  lambdaVariables?: Record<string, ArmValue>;
  /** What `environment()` returns: the Azure cloud deployed to. */
  environment?: ArmValue;
}

class Lambda {
  constructor(
    readonly names: string[],
    readonly body: Node,
    readonly context: EvaluationContext,
  ) {}
  invoke(...values: ArmValue[]): ArmValue {
    const vars = { ...this.context.lambdaVariables };
    this.names.forEach((n, i) => (vars[n] = values[i]));
    return evaluateNode(this.body, { ...this.context, lambdaVariables: vars });
  }
}

/** Reference to a module deployment, from resourceId()/extensionResourceId() of type Microsoft.Resources/deployments. */
class DeploymentId {
  constructor(readonly name: string) {}
}

export function isExpression(value: string): boolean {
  return value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

/** Evaluates a JSON value from a template: every expression string inside it is evaluated. */
export function evaluateValue(value: ArmValue, context: EvaluationContext): ArmValue {
  if (typeof value === 'string') {
    if (isExpression(value)) return evaluateNode(parse(value.slice(1, -1)), context);
    return value.startsWith('[[') ? value.slice(1) : value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, context));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, ArmValue> = {};
    // Property names may be expressions too (e.g. the identity id under userAssignedIdentities).
    for (const [k, v] of Object.entries(value)) out[String(evaluateValue(k, context))] = evaluateValue(v, context);
    return out;
  }
  return value;
}

function parse(text: string): Node {
  let pos = 0;
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[pos] !== ch) throw new Error(`expected "${ch}" at ${pos} in ${text}`);
    pos++;
  };
  const primary = (): Node => {
    skip();
    const start = pos;
    if (text[pos] === "'") {
      let s = '';
      pos++;
      for (;;) {
        if (pos >= text.length) throw new Error(`unterminated string in ${text}`);
        if (text[pos] === "'") {
          if (text[pos + 1] === "'") {
            s += "'";
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        s += text[pos++];
      }
      return { kind: 'literal', value: s };
    }
    const num = /^-?\d+/.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(pos));
    if (!ident) throw new Error(`unexpected "${text[pos]}" at ${pos} in ${text}`);
    pos += ident[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (text[pos] === ')') pos++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: ident[0].toLowerCase(), args, text: text.slice(start, pos) };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (text[pos] === '.') {
        pos++;
        const ident = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(text.slice(pos));
        if (!ident) throw new Error(`property name expected at ${pos} in ${text}`);
        pos += ident[0].length;
        node = { kind: 'property', target: node, name: ident[0] };
      } else if (text[pos] === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (pos !== text.length) throw new Error(`trailing text at ${pos} in ${text}`);
  return node;
}

function access(target: ArmValue, key: ArmValue): ArmValue {
  if (target instanceof Unresolved) return new Unresolved(`${target.text}.${String(key)}`);
  if (Array.isArray(target) && typeof key === 'number') return target[key];
  if (target !== null && typeof target === 'object' && (typeof key === 'string' || typeof key === 'number')) {
    const record = target as Record<string, ArmValue>;
    const match = Object.keys(record).find((k) => k.toLowerCase() === String(key).toLowerCase());
    return match === undefined ? undefined : record[match];
  }
  throw new Error(`cannot read ${String(key)} of ${JSON.stringify(target)}`);
}

const asText = (v: ArmValue): string => (v instanceof Unresolved ? v.toString() : typeof v === 'string' ? v : JSON.stringify(v));

function evaluateNode(node: Node, ctx: EvaluationContext): ArmValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property':
      return access(evaluateNode(node.target, ctx), node.name);
    case 'index':
      return access(evaluateNode(node.target, ctx), evaluateNode(node.index, ctx));
    case 'call':
      return call(node, ctx);
  }
}

/**
 * resourceId()-style functions: a module deployment becomes a DeploymentId (so reference() can read its outputs);
 * anything else becomes its resource id text with `{subscriptionId}`/`{resourceGroup}` standing for what Azure fills in.
 */
function resourceIdOf(fn: string, args: ArmValue[]): ArmValue {
  const typeIndex = args.findIndex((x) => typeof x === 'string' && /^[A-Za-z]+\.[A-Za-z.]+\/[A-Za-z/]+$/.test(x));
  if (typeIndex < 0) throw new Error(`${fn}(${args.map(asText).join(', ')}) has no resource type`);
  const type = args[typeIndex] as string;
  const names = args.slice(typeIndex + 1).map(asText);
  if (type === 'Microsoft.Resources/deployments' && names.length === 1) return new DeploymentId(names[0]);
  const [provider, ...types] = type.split('/');
  const path = types.map((t, i) => `${t}/${names[i]}`).join('/');
  if (fn === 'extensionresourceid') return `${asText(args[0])}/providers/${provider}/${path}`;
  const subscription = fn === 'subscriptionresourceid' && typeIndex > 0 ? asText(args[0]) : '{subscriptionId}';
  const group = fn === 'resourceid' ? `/resourceGroups/${typeIndex > 0 ? asText(args[typeIndex - 1]) : '{resourceGroup}'}` : '';
  return `/subscriptions/${subscription}${group}/providers/${provider}/${path}`;
}

function call(node: Extract<Node, { kind: 'call' }>, ctx: EvaluationContext): ArmValue {
  const lazy = node.args;
  if (node.name === 'if') {
    const cond = evaluateNode(lazy[0], ctx);
    if (cond instanceof Unresolved) return new Unresolved(node.text);
    return evaluateNode(cond ? lazy[1] : lazy[2], ctx);
  }
  if (node.name === 'lambda') {
    const names = lazy.slice(0, -1).map((n) => evaluateNode(n, ctx) as string);
    return new Lambda(names, lazy[lazy.length - 1], ctx);
  }
  const args = lazy.map((a) => evaluateNode(a, ctx));
  const [a, b] = args;
  switch (node.name) {
    case 'parameters':
      return ctx.parameter(a as string);
    case 'variables':
      return ctx.variable(a as string);
    case 'lambdavariables':
      return ctx.lambdaVariables?.[a as string];
    case 'copyindex':
      return (ctx.copyIndex ?? 0) + (typeof a === 'number' ? a : 0);
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    case 'string':
      return a instanceof Unresolved ? a : typeof a === 'boolean' ? (a ? 'True' : 'False') : asText(a);
    case 'int':
      return Number(a);
    case 'tolower':
      return a instanceof Unresolved ? a : String(a).toLowerCase();
    case 'format':
      return String(a).replace(/\{(\d+)(?::[^}]*)?\}/g, (_, i: string) => asText(args[Number(i) + 1]));
    case 'concat':
      return args.every(Array.isArray) ? args.flat() : args.map(asText).join('');
    case 'empty':
      return a === null || a === undefined || a === '' || (Array.isArray(a) && a.length === 0) || (typeof a === 'object' && !(a instanceof Unresolved) && Object.keys(a as object).length === 0);
    case 'not':
      return !a;
    case 'and':
      return args.every(Boolean);
    case 'or':
      return args.some(Boolean);
    case 'equals':
      return JSON.stringify(a) === JSON.stringify(b);
    case 'greater':
      return (a as number) > (b as number);
    case 'length':
      return Array.isArray(a) || typeof a === 'string' ? a.length : Object.keys(a as object).length;
    case 'createarray':
      return args;
    case 'createobject': {
      const out: Record<string, ArmValue> = {};
      for (let i = 0; i < args.length; i += 2) out[args[i] as string] = args[i + 1];
      return out;
    }
    case 'union':
      return args.every(Array.isArray) ? [...new Set(args.flat())] : Object.assign({}, ...(args as object[]));
    case 'items':
      return Object.entries(a as object).map(([key, value]) => ({ key, value }));
    case 'map':
      return (a as ArmValue[]).map((v, i) => (b as Lambda).invoke(v, i));
    case 'filter':
      return (a as ArmValue[]).filter((v, i) => (b as Lambda).invoke(v, i));
    case 'resourceid':
    case 'subscriptionresourceid':
    case 'extensionresourceid':
      return resourceIdOf(node.name, args);
    case 'environment':
      return ctx.environment ?? new Unresolved(node.text);
    case 'reference': {
      if (a instanceof DeploymentId) {
        const outputs = ctx.deploymentOutputs(a.name);
        if (outputs) return { outputs };
      }
      return new Unresolved(node.text);
    }
    default:
      return new Unresolved(node.text);
  }
}
