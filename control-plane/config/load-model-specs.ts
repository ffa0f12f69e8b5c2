// Reading model specs: one YAML file per model in models/ (or MLOPS_MODEL_SPECS_DIR), each parsed
// strictly; a bad spec fails with the file, the field, the line and a did-you-mean. The catalog
// serves the specs of one environment (local, dev, prod), whose overrides change only durations
// and approvals.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { closestName } from '../../common/suggest.js';
import type { Environment, ModelSpec } from './model-spec.js';
import { ENVIRONMENTS, modelSpecSchema } from './model-spec.js';
import type { SpecProblem } from './spec-problems.js';
import { lineOf, problemsFromZod, specErrorMap } from './spec-problems.js';
import { notOneOf } from './suggestion.js';

export type { Environment, ModelSpec } from './model-spec.js';

/** A spec that cannot be used; the message names the file and each field, one problem a line. */
export class ModelSpecError extends Error {
  /** The first problem's field (dotted path; empty for the file as a whole). */
  readonly field: string;
  constructor(
    readonly file: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(problems.map((problem) => formatProblem(file, problem)).join('\n'));
    this.name = 'ModelSpecError';
    this.field = problems[0]?.field ?? '';
  }
}

function formatProblem(file: string, problem: SpecProblem): string {
  const where = problem.field === '' ? '' : `${problem.field}: `;
  return `${file}: ${where}${problem.message}${problem.line === undefined ? '' : ` (line ${problem.line})`}`;
}

const SPEC_EXTENSIONS = ['.yaml', '.yml'];

/** The model name a spec file must declare: its file name without the extension. */
function nameFromFile(file: string): string {
  const base = path.basename(file);
  const extension = SPEC_EXTENSIONS.find((ext) => base.endsWith(ext));
  return extension === undefined ? base : base.slice(0, -extension.length);
}

/** Parses one spec; `file` names it in errors and fixes its expected `name`. */
export function parseModelSpec(text: string, file: string): ModelSpec {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ModelSpecError(
      file,
      document.errors.map((error) => ({ field: '', message: `is not valid YAML: ${error.message}`, line: lines.linePos(error.pos[0]).line })),
    );
  }
  const data: unknown = document.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ModelSpecError(file, [{ field: '', message: 'must be a YAML map of fields (name, displayName, source, task, pipeline, ...)' }]);
  }
  const parsed = modelSpecSchema.safeParse(data, { error: specErrorMap });
  if (!parsed.success) throw new ModelSpecError(file, problemsFromZod(parsed.error, document, lines));
  const expected = nameFromFile(file);
  if (parsed.data.name !== expected) {
    const line = lineOf(document, lines, ['name']);
    const message = `must equal the file's name ${JSON.stringify(expected)} (models are named by their file), got ${JSON.stringify(parsed.data.name)}`;
    throw new ModelSpecError(file, [{ field: 'name', message, ...(line === undefined ? {} : { line }) }]);
  }
  return parsed.data;
}

/** A spec file's path as messages show it: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Every `*.yaml` / `*.yml` in `dir`, parsed, sorted by name; two files declaring one model are refused. */
export function loadModelSpecs(dir: string): ModelSpec[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`model specs directory ${dir} does not exist (set MLOPS_MODEL_SPECS_DIR, or run from the repository root)`);
  }
  const files = readdirSync(dir)
    .filter((entry) => SPEC_EXTENSIONS.some((ext) => entry.endsWith(ext)))
    .sort();
  const byName = new Map<string, string>();
  const specs: ModelSpec[] = [];
  for (const entry of files) {
    const file = displayPath(path.join(dir, entry));
    const spec = parseModelSpec(readFileSync(path.join(dir, entry), 'utf8'), file);
    const other = byName.get(spec.name);
    if (other !== undefined) throw new ModelSpecError(file, [{ field: 'name', message: `model ${JSON.stringify(spec.name)} is also declared in ${other}` }]);
    byName.set(spec.name, file);
    specs.push(spec);
  }
  return specs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Where specs are read from: MLOPS_MODEL_SPECS_DIR, else `<cwd>/models`. */
export function modelSpecsDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.MLOPS_MODEL_SPECS_DIR;
  return configured !== undefined && configured !== '' ? path.resolve(configured) : path.join(process.cwd(), 'models');
}

/** `value` as an environment name, or an error naming `field` with a did-you-mean. */
export function parseEnvironment(value: string, field = 'environment'): Environment {
  if ((ENVIRONMENTS as readonly string[]).includes(value)) return value as Environment;
  throw new Error(`${field}: ${notOneOf(value, ENVIRONMENTS)}`);
}

/** A spec as one environment runs it: its overrides applied, `environments` gone. */
export type ResolvedModelSpec = Omit<ModelSpec, 'environments'> & { readonly environment: Environment };

/** The fields of `values` that are set (an override's undefined fields leave the base as it is). */
export function definedOnly<T extends object>(values: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function resolveForEnvironment(spec: ModelSpec, env: Environment): ResolvedModelSpec {
  const { environments, ...rest } = spec;
  const override = environments[env];
  return {
    ...rest,
    environment: env,
    durations: { ...spec.durations, ...definedOnly(override?.durations) },
    approvals: { ...spec.approvals, ...definedOnly(override?.approvals) },
  };
}

/** A model the catalog does not hold; the API maps it to 404 NOT_FOUND. */
export class ModelNotFoundError extends Error {
  readonly status = 'NOT_FOUND';
  readonly httpCode = 404;
  constructor(
    readonly model: string,
    /** The closest known model name, if one is close. */
    readonly suggestion: string | undefined,
  ) {
    super(`model ${JSON.stringify(model)} not found${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`);
    this.name = 'ModelNotFoundError';
  }
}

/** The models of one environment, by name. */
export class ModelCatalog {
  private readonly byName: ReadonlyMap<string, ResolvedModelSpec>;

  constructor(
    specs: readonly ModelSpec[],
    readonly environment: Environment,
  ) {
    const byName = new Map<string, ResolvedModelSpec>();
    for (const spec of [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (byName.has(spec.name)) throw new Error(`model ${JSON.stringify(spec.name)} is declared twice`);
      byName.set(spec.name, resolveForEnvironment(spec, environment));
    }
    this.byName = byName;
  }

  /** The catalog of the specs in `dir` (default: modelSpecsDir()). */
  static load(environment: Environment, dir: string = modelSpecsDir()): ModelCatalog {
    return new ModelCatalog(loadModelSpecs(dir), environment);
  }

  get(name: string): ResolvedModelSpec | undefined {
    return this.byName.get(name);
  }

  /** The model, or ModelNotFoundError with the closest name. */
  require(name: string): ResolvedModelSpec {
    const spec = this.byName.get(name);
    if (spec === undefined) throw new ModelNotFoundError(name, closestName(name, this.byName.keys()));
    return spec;
  }

  list(): ResolvedModelSpec[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
