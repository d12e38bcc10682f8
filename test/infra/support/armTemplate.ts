/**
 * Reads the ARM template compiled from infra/main.bicep and lists every resource it would deploy, nested module
 * deployments included, with its properties evaluated for a given set of top-level parameters.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArmValue, EvaluationContext, evaluateValue, Unresolved } from './armExpression';

type Json = Record<string, unknown>;

export interface DeployedResource {
  type: string;
  /** Evaluated name (may contain `<unresolved:...>` parts for names only Azure knows). */
  name: string;
  /** Evaluated resource body. */
  body: Json;
  /** Raw resource as compiled, for checks on the expressions themselves. */
  raw: Json;
  /** Module deployment path, e.g. `api`. */
  module: string;
}

export interface TemplateParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
}

export const compiledTemplatePath = (): string =>
  resolve(process.env.INFRA_TEMPLATE ?? resolve(__dirname, '..', '..', '..', '.bicep', 'out', 'main.json'));

export function loadCompiledTemplate(): Json {
  const path = compiledTemplatePath();
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: compile the templates first with "npm run infra:check" (scripts/infra-check.sh)`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

const resourcesOf = (template: Json): Json[] => {
  const r = template.resources;
  if (Array.isArray(r)) return r as Json[];
  return r && typeof r === 'object' ? (Object.values(r) as Json[]) : [];
};

class TemplateScope {
  private readonly parameterCache = new Map<string, ArmValue>();
  private readonly variableCache = new Map<string, ArmValue>();

  constructor(
    readonly template: Json,
    private readonly parameterSource: (name: string) => ArmValue | undefined,
    readonly module: string,
    private readonly environment: ArmValue,
  ) {}

  context(copyIndex?: number): EvaluationContext {
    return {
      parameter: (name) => this.parameter(name),
      variable: (name) => this.variable(name),
      deploymentOutputs: (name) => this.deploymentOutputs(name),
      copyIndex,
      environment: this.environment,
    };
  }

  parameter(name: string): ArmValue {
    if (!this.parameterCache.has(name)) {
      const declared = ((this.template.parameters ?? {}) as Record<string, TemplateParameter>)[name];
      if (!declared) throw new Error(`template ${this.module || 'main'} has no parameter ${name}`);
      const given = this.parameterSource(name);
      const value = given !== undefined ? given : evaluateValue(declared.defaultValue, this.context());
      if (value === undefined) throw new Error(`parameter ${name} of ${this.module || 'main'} has no value and no default`);
      this.parameterCache.set(name, value);
    }
    return this.parameterCache.get(name);
  }

  variable(name: string): ArmValue {
    if (!this.variableCache.has(name)) {
      const variables = (this.template.variables ?? {}) as Json;
      if (!(name in variables)) throw new Error(`template ${this.module || 'main'} has no variable ${name}`);
      this.variableCache.set(name, evaluateValue(variables[name], this.context()));
    }
    return this.variableCache.get(name);
  }

  deploymentOutputs(name: string): Record<string, ArmValue> | undefined {
    const deployment = resourcesOf(this.template).find(
      (r) => r.type === 'Microsoft.Resources/deployments' && evaluateValue(r.name, this.context()) === name,
    );
    if (!deployment) return undefined;
    const child = this.child(deployment);
    const outputs: Record<string, ArmValue> = {};
    for (const [key, output] of Object.entries((child.template.outputs ?? {}) as Record<string, Json>)) {
      outputs[key] = { value: child.evaluateOutput(output) };
    }
    return outputs;
  }

  evaluateOutput(output: Json): ArmValue {
    const copy = output.copy as { count: unknown; input: unknown } | undefined;
    if (copy) {
      const count = evaluateValue(copy.count, this.context()) as number;
      return Array.from({ length: count }, (_, i) => evaluateValue(copy.input, this.context(i)));
    }
    return evaluateValue(output.value, this.context());
  }

  child(deployment: Json): TemplateScope {
    const props = deployment.properties as Json;
    const given = (props.parameters ?? {}) as Record<string, { value?: unknown }>;
    const name = String(evaluateValue(deployment.name, this.context()));
    return new TemplateScope(
      props.template as Json,
      (p) => (p in given ? evaluateValue(given[p].value, this.context()) : undefined),
      this.module ? `${this.module}/${name}` : name,
      this.environment,
    );
  }
}

/** A module's template has its own scope: it is walked separately, never evaluated in its parent's. */
function withoutNestedTemplate(raw: Json): Json {
  if (raw.type !== 'Microsoft.Resources/deployments') return raw;
  const { template: _template, ...properties } = raw.properties as Json;
  return { ...raw, properties };
}

/** The deployment as Azure would see it with these top-level parameter values (others take their defaults). */
export class CompiledDeployment {
  readonly root: TemplateScope;

  constructor(
    readonly template: Json,
    parameters: Record<string, unknown>,
    cloud: AzureCloudName = 'AzureCloud',
  ) {
    this.root = new TemplateScope(template, (name) => parameters[name], '', AZURE_ENVIRONMENTS[cloud]);
  }

  /** Every resource that would be deployed (conditions evaluated, copy loops expanded), modules included. */
  resources(): DeployedResource[] {
    const out: DeployedResource[] = [];
    const walk = (scope: TemplateScope) => {
      for (const raw of resourcesOf(scope.template)) {
        if (raw.existing === true) continue;
        const copy = raw.copy as { count: unknown } | undefined;
        const count = copy ? (evaluateValue(copy.count, scope.context()) as number) : 1;
        for (let i = 0; i < count; i++) {
          const ctx = scope.context(copy ? i : undefined);
          if ('condition' in raw && evaluateValue(raw.condition, ctx) !== true) continue;
          const body = evaluateValue(withoutNestedTemplate(raw), ctx) as Json;
          const name = body.name instanceof Unresolved ? body.name.toString() : String(body.name);
          out.push({ type: String(raw.type), name, body, raw, module: scope.module });
          if (raw.type === 'Microsoft.Resources/deployments') walk(scope.child(raw));
        }
      }
    };
    walk(this.root);
    return out;
  }

  ofType(type: string): DeployedResource[] {
    return this.resources().filter((r) => r.type.toLowerCase() === type.toLowerCase());
  }

  single(type: string): DeployedResource {
    const found = this.ofType(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
  }

  /** Outputs of the top-level template, evaluated. */
  outputs(): Record<string, ArmValue> {
    const out: Record<string, ArmValue> = {};
    for (const [key, output] of Object.entries((this.template.outputs ?? {}) as Record<string, Json>)) {
      out[key] = this.root.evaluateOutput(output);
    }
    return out;
  }

  parameterDeclaration(name: string): TemplateParameter {
    const declared = ((this.template.parameters ?? {}) as Record<string, TemplateParameter>)[name];
    if (!declared) throw new Error(`main template has no parameter ${name}`);
    return declared;
  }
}

/** Required top-level parameters (azd fills them from AZURE_ENV_NAME / AZURE_LOCATION). */
export const REQUIRED_PARAMETERS = { environmentName: 'prod', location: 'westeurope' } as const;

export function compileDeployment(parameters: Record<string, unknown> = {}, cloud: AzureCloudName = 'AzureCloud'): CompiledDeployment {
  return new CompiledDeployment(loadCompiledTemplate(), { ...REQUIRED_PARAMETERS, ...parameters }, cloud);
}

export type AzureCloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

/** The parts of ARM's `environment()` the templates read, per Azure cloud (`az cloud show`). */
const AZURE_ENVIRONMENTS: Record<AzureCloudName, ArmValue> = {
  AzureCloud: { name: 'AzureCloud', authentication: { loginEndpoint: 'https://login.microsoftonline.com/' }, suffixes: { storage: 'core.windows.net' } },
  AzureUSGovernment: { name: 'AzureUSGovernment', authentication: { loginEndpoint: 'https://login.microsoftonline.us/' }, suffixes: { storage: 'core.usgovcloudapi.net' } },
  AzureChinaCloud: { name: 'AzureChinaCloud', authentication: { loginEndpoint: 'https://login.chinacloudapi.cn/' }, suffixes: { storage: 'core.chinacloudapi.cn' } },
};

export interface AppSetting {
  name: string;
  value: ArmValue;
  /** The expression as compiled, before evaluation. */
  raw: unknown;
}

export function functionAppSettings(deployment: CompiledDeployment): AppSetting[] {
  const site = deployment.single('Microsoft.Web/sites');
  const evaluated = ((site.body.properties as Json).siteConfig as Json).appSettings as { name: string; value: ArmValue }[];
  const raw = (((site.raw.properties as Json).siteConfig as Json).appSettings ?? []) as { name: string; value: unknown }[];
  if (!Array.isArray(raw)) throw new Error('siteConfig.appSettings must be a literal array so that setting names can be checked');
  return evaluated.map((s, i) => ({ name: s.name, value: s.value, raw: raw[i].value }));
}

/** Reads a dotted path (`properties.siteConfig.minTlsVersion`) of an evaluated resource body. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
