// The stack's configuration (Pulumi.<stack>.yaml), typed and validated once at start: a bad value
// fails before any resource is planned, with an error that names the key (`mlops:approvers: ...`).
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { closestName } from '../common/suggest.js';
import type { ResolvedModelSpec } from '../control-plane/config/load-model-specs.js';
import { ENVIRONMENTS } from '../control-plane/config/model-spec.js';
import { FUNCTIONS } from './functions.js';

/** The keys a stack file may set, with what each means (README "Deploying with Pulumi" lists them). */
export const STACK_CONFIG_KEYS = {
  'gcp:project': 'Google Cloud project id to deploy into (required).',
  'gcp:region': 'Region of the functions, Scheduler jobs, Vertex AI endpoints, buckets and datasets (default us-central1).',
  'mlops:environment': 'dev, prod or local: which overrides of the model specs apply (required).',
  'mlops:approvers': 'JSON list of emails allowed to approve rollouts of models whose spec lists none (default []).',
  'mlops:alertEmails': 'JSON list of emails that get an email notification channel on the drift alert policies (default []).',
  'mlops:functionSizes': 'JSON object: function name → {memory, timeoutSeconds, maxInstances} overriding infra/functions.ts (default {}).',
  'mlops:bundleDir': 'The functions bundle that `npm run build:functions` writes, relative to the repository root (default dist/functions).',
  'mlops:modelSpecsDir': 'The model specs directory, relative to the repository root (default models).',
  'mlops:namePrefix': 'Prefix of the service accounts and the function sources bucket (default mlops).',
} as const;

export type StackConfigKey = keyof typeof STACK_CONFIG_KEYS;

export interface FunctionSize {
  memory?: string;
  timeoutSeconds?: number;
  maxInstances?: number;
}

export interface StackConfig {
  project: string;
  region: string;
  environment: 'dev' | 'prod' | 'local';
  approvers: string[];
  alertEmails: string[];
  functionSizes: Record<string, FunctionSize>;
  bundleDir: string;
  modelSpecsDir: string;
  namePrefix: string;
}

/** An invalid stack configuration; the message starts with the key (`mlops:approvers: ...`). */
export class StackConfigError extends Error {
  constructor(
    /** The key at fault (a misspelt one as written). */
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'StackConfigError';
  }
}

/** The longest per-function service account id suffix: `<prefix>-<kebab name>` must fit IAM's 30 characters. */
const LONGEST_ACCOUNT_SUFFIX = Math.max('pipelines'.length, 'scheduler'.length, ...FUNCTIONS.map((f) => kebabCase(f.name).length));

/** `onPipelineRunEvent` → `on-pipeline-run-event`: function names in resource ids. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

const emailList = z.array(z.email({ error: (issue) => `must be a list of email addresses; ${JSON.stringify(issue.input)} is not one` }), {
  error: 'must be a list of email addresses',
});

const functionSize = z.strictObject({
  memory: z.string().regex(/^\d+(Mi|Gi)$/, 'must be like 512Mi or 2Gi').optional(),
  timeoutSeconds: z.int().min(1).max(3600).optional(),
  maxInstances: z.int().min(1).max(1000).optional(),
});

/** Per key: its schema, and its value when the stack file leaves it out (undefined: required). */
/** `json`: the value is JSON text (lists and objects, as `pulumi config set` stores them); its string shows the expected form. */
const KEYS: { [K in StackConfigKey]: { schema: z.ZodType; json?: string; fallback?: unknown } } = {
  'gcp:project': { schema: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id (6-30 lowercase letters, digits, hyphens)') },
  'gcp:region': { schema: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a region such as us-central1'), fallback: 'us-central1' },
  'mlops:environment': { schema: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(', ')}` }) },
  'mlops:approvers': { schema: emailList, json: 'a JSON list of email addresses, e.g. ["ml-lead@example.com"]', fallback: [] },
  'mlops:alertEmails': { schema: emailList, json: 'a JSON list of email addresses, e.g. ["oncall@example.com"]', fallback: [] },
  'mlops:functionSizes': { schema: functionSizesSchema(), json: 'a JSON object, e.g. {"checkDrift": {"memory": "1Gi", "timeoutSeconds": 540}}', fallback: {} },
  'mlops:bundleDir': { schema: z.string().min(1, 'must be a directory'), fallback: 'dist/functions' },
  'mlops:modelSpecsDir': { schema: z.string().min(1, 'must be a directory'), fallback: 'models' },
  'mlops:namePrefix': {
    schema: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must start with a lowercase letter and hold only lowercase letters, digits and hyphens')
      .refine((p) => p.length + 1 + LONGEST_ACCOUNT_SUFFIX <= 30, `is too long: service account ids (<prefix>-<function>) may have at most 30 characters, so at most ${29 - LONGEST_ACCOUNT_SUFFIX}`),
    fallback: 'mlops',
  },
};

function functionSizesSchema(): z.ZodType<Record<string, FunctionSize>> {
  const names = FUNCTIONS.map((f) => f.name);
  return z.record(z.string(), functionSize, { error: 'must be a JSON object of function name to {memory, timeoutSeconds, maxInstances}' }).superRefine((sizes, ctx) => {
    for (const name of Object.keys(sizes)) {
      if (!names.includes(name)) ctx.addIssue({ code: 'custom', message: `names no function: ${JSON.stringify(name)} (functions: ${names.join(', ')})`, path: [name] });
    }
  });
}

function parseKey(key: StackConfigKey, raw: string | undefined): unknown {
  const spec = KEYS[key];
  if (raw === undefined || raw === '') {
    if (spec.fallback === undefined) throw new StackConfigError(key, `is required (pulumi config set ${key} <value>)`);
    return spec.fallback;
  }
  let value: unknown = raw;
  if (spec.json !== undefined) {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new StackConfigError(key, `must be ${spec.json}, got ${JSON.stringify(raw)}`);
    }
  }
  const parsed = spec.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A list item's message names the item itself; an object's field is named by its path.
    const path = issue.path.filter((part) => typeof part === 'string');
    const where = path.length > 0 ? `${path.join('.')}: ` : '';
    throw new StackConfigError(key, `${where}${issue.message}`);
  }
  return parsed.data;
}

/** Validates raw config values keyed `namespace:key`; unknown `mlops:` keys are refused (a typo would otherwise be ignored). */
export function parseStackConfig(values: Record<string, string | undefined>): StackConfig {
  for (const key of Object.keys(values)) {
    if (key.startsWith('mlops:') && !(key in STACK_CONFIG_KEYS)) {
      const known = Object.keys(STACK_CONFIG_KEYS).filter((k) => k.startsWith('mlops:'));
      const suggestion = closestName(key, known);
      throw new StackConfigError(key, `is not a configuration key of this program${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; keys: ${known.join(', ')}`);
    }
  }
  return {
    project: parseKey('gcp:project', values['gcp:project']) as string,
    region: parseKey('gcp:region', values['gcp:region']) as string,
    environment: parseKey('mlops:environment', values['mlops:environment']) as StackConfig['environment'],
    approvers: parseKey('mlops:approvers', values['mlops:approvers']) as string[],
    alertEmails: parseKey('mlops:alertEmails', values['mlops:alertEmails']) as string[],
    functionSizes: parseKey('mlops:functionSizes', values['mlops:functionSizes']) as Record<string, FunctionSize>,
    bundleDir: parseKey('mlops:bundleDir', values['mlops:bundleDir']) as string,
    modelSpecsDir: parseKey('mlops:modelSpecsDir', values['mlops:modelSpecsDir']) as string,
    namePrefix: parseKey('mlops:namePrefix', values['mlops:namePrefix']) as string,
  };
}

/** The stack's configuration from Pulumi: every `gcp:` and `mlops:` key the stack sets (so a misspelt key is refused too). */
export function readStackConfig(): StackConfig {
  const all = pulumi.runtime.allConfig();
  return parseStackConfig(Object.fromEntries(Object.entries(all).filter(([key]) => key in STACK_CONFIG_KEYS || key.startsWith('mlops:'))));
}

/** The repository's root (this file is infra/config.ts): relative stack paths are read from there, wherever Pulumi runs. */
export const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '..');

/** The configuration with `bundleDir` and `modelSpecsDir` absolute (Pulumi runs the program in infra/, where Pulumi.yaml is). */
export function resolveStackPaths(config: StackConfig, root: string = REPOSITORY_ROOT): StackConfig {
  return { ...config, bundleDir: path.resolve(root, config.bundleDir), modelSpecsDir: path.resolve(root, config.modelSpecsDir) };
}

/**
 * A prod stack gates rollouts on approvals: every model whose spec (resolved for prod) requires
 * deployment approval needs someone who may give it, from its spec or from `mlops:approvers`.
 */
export function requireApprovers(config: StackConfig, specs: readonly Pick<ResolvedModelSpec, 'name' | 'approvals'>[]): void {
  if (config.environment !== 'prod') return;
  const without = specs.filter((s) => s.approvals.deployment === 'required' && s.approvals.approvers.length === 0).map((s) => s.name);
  if (without.length > 0 && config.approvers.length === 0) {
    throw new StackConfigError('mlops:approvers', `must list at least one email: a prod stack requires deployment approvals and model(s) ${without.join(', ')} name no approvers in their spec`);
  }
}
