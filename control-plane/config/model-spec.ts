// The model spec: one YAML file per managed model (models/<name>.yaml), the one place that says
// where its data comes from, how it is trained, judged, scheduled and served. The functions read
// it and the Pulumi program creates Scheduler jobs, alert policies and endpoints from it.
// Every object is strict: an unknown field is an error that suggests the closest known one.
import { z } from 'zod';
import type { JsonValue } from '../../pipelines/ir/index.js';
import type { ModelType, TaskType } from '../../pipelines/components/closed-sets.js';
import { EVALUATION_METRICS, GATE_METRICS, MODEL_TYPES, TASK_TYPES } from '../../pipelines/components/closed-sets.js';
import { displayNameProblem } from '../../vertex/shared/limits.js';
import { machineTypes } from '../../vertex/shared/machine-types.js';
import type { TableReference } from './bigquery-source.js';
import { columnNameProblem, parameterNameProblem, parseTableReference, scanQuery } from './bigquery-source.js';
import { parseDuration } from './durations.js';
import { PIPELINE_NAMES, pipelineParameterProblems } from './pipeline-parameters.js';
import { cronProblem, timeZoneProblem } from './schedule-checks.js';
import { closestName } from '../../common/suggest.js';
import { notOneOf, suggestion, unknownField } from './suggestion.js';
import type { Scale } from './tuning-space.js';
import { EARLY_STOPPING, SCALES, TUNABLE_HYPERPARAMETERS, TUNING_ALGORITHM_NAMES, TUNING_METRICS, entryProblem, gridProblemMessage, gridProblems, gridSizeProblem, hyperparameterProblem } from './tuning-space.js';

export const ENVIRONMENTS = ['local', 'dev', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** How a step that can wait for a person is gated: `required` waits for an approval, `none` goes ahead. */
export const APPROVAL_MODES = ['required', 'none'] as const;

/** BigQuery's query parameter types a spec may declare (parameterType.type in the REST API). */
export const QUERY_PARAMETER_TYPES = ['STRING', 'INT64', 'FLOAT64', 'BOOL', 'DATE', 'TIMESTAMP'] as const;

const MODEL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * A strict object: each unknown field is an error; `unknown` words it (default: did-you-mean).
 * zod reports all unknown keys of an object in one issue: one message line per key, in order,
 * which problemsFromZod splits into one problem per field.
 */
function strict<S extends z.ZodRawShape>(shape: S, unknown: (key: string, known: readonly string[]) => string = unknownField) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => unknown(key, known).replaceAll('\n', ' ')).join('\n') : undefined),
  });
}

/** A string checked by `problem` (undefined when fine). */
function checkedString(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: value });
  });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => (typeof issue.input === 'string' ? notOneOf(issue.input, values) : undefined) });
}

/** "30s", "2h", "1h30m" → seconds. */
const duration = z
  .string({ error: (issue) => (typeof issue.input === 'number' ? 'must be a duration string with a unit such as "30s" or "2h" (a bare number has none)' : undefined) })
  .transform((text, ctx) => {
    const parsed = parseDuration(text);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem, input: text });
      return z.NEVER;
    }
    return parsed.seconds;
  });

const tableReference = z.string().transform((text, ctx): TableReference => {
  const parsed = parseTableReference(text);
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.problem, input: text });
    return z.NEVER;
  }
  return parsed.table;
});

const columnName = checkedString(columnNameProblem);

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  return typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isJsonValue);
}
const jsonValue = z.custom<JsonValue>(isJsonValue, { error: 'must be plain data (strings, finite numbers, booleans, null, lists and maps)' });

// ---- source ---------------------------------------------------------------------------------

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?$/i;

export function queryValueProblem(type: (typeof QUERY_PARAMETER_TYPES)[number], value: string | number | boolean): string | undefined {
  const got = `got ${JSON.stringify(value)}`;
  switch (type) {
    case 'STRING': return typeof value === 'string' ? undefined : `must be a string for a STRING parameter, ${got}`;
    case 'INT64': return Number.isSafeInteger(value) ? undefined : `must be an integer for an INT64 parameter, ${got}`;
    case 'FLOAT64': return typeof value === 'number' && Number.isFinite(value) ? undefined : `must be a number for a FLOAT64 parameter, ${got}`;
    case 'BOOL': return typeof value === 'boolean' ? undefined : `must be true or false for a BOOL parameter, ${got}`;
    case 'DATE':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : `must be a date "YYYY-MM-DD" (quoted) for a DATE parameter, ${got}`;
    case 'TIMESTAMP':
      return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')))
        ? undefined
        : `must be a timestamp such as "2024-01-31T00:00:00Z" (quoted) for a TIMESTAMP parameter, ${got}`;
  }
}

const queryParameter = strict({
  type: oneOf(QUERY_PARAMETER_TYPES),
  value: z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }),
}).superRefine((parameter, ctx) => {
  const problem = queryValueProblem(parameter.type, parameter.value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['value'], input: parameter.value });
});

const sourceFields = strict({
  /** `dataset.table` or `project.dataset.table`; exclusive with `query`. */
  table: tableReference.optional(),
  /** One GoogleSQL SELECT using named parameters (`@name`); exclusive with `table`. */
  query: z.string().optional(),
  /** The query's named parameters: name → {type, value}. */
  parameters: z.record(z.string(), queryParameter).optional(),
  /** Share of a table's rows in each snapshot (0 < x ≤ 1); a query samples itself. */
  sampleFraction: z.number().gt(0).max(1).optional(),
  target: columnName,
  features: z.array(columnName).min(1),
  timeColumn: columnName.optional(),
});

type SourceFields = z.output<typeof sourceFields>;

function checkSource(source: SourceFields, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', message, path });
  if (source.table === undefined && source.query === undefined) add([], 'must have a `table` or a `query`');
  if (source.table !== undefined && source.query !== undefined) add(['query'], 'a source has a `table` or a `query`, not both');
  if (source.table !== undefined && source.parameters !== undefined) add(['parameters'], 'query parameters apply to a `query` source only');
  if (source.query !== undefined && source.sampleFraction !== undefined) {
    add(['sampleFraction'], 'applies to a `table` source only; sample in the query instead (e.g. `WHERE RAND() < @sample_fraction`)');
  }
  if (source.query !== undefined) {
    const scan = scanQuery(source.query);
    if (scan.problem !== undefined) add(['query'], scan.problem);
    const declared = Object.keys(source.parameters ?? {});
    for (const name of scan.parameters) {
      if (!declared.includes(name)) add(['query'], `uses @${name}, which \`parameters\` does not declare${suggestion(closestName(name, declared))}`);
    }
    for (const name of declared) {
      const problem = parameterNameProblem(name);
      if (problem !== undefined) add(['parameters', name], problem);
      else if (!scan.parameters.includes(name)) add(['parameters', name], `is declared but the query does not use @${name}${suggestion(closestName(name, scan.parameters))}`);
    }
  }
  if (source.features.includes(source.target)) add(['features'], `must not include the target column ${JSON.stringify(source.target)}`);
  source.features.forEach((feature, index) => {
    if (source.features.indexOf(feature) !== index) add(['features', index], `lists ${JSON.stringify(feature)} twice`);
  });
  if (source.timeColumn !== undefined && source.timeColumn === source.target) add(['timeColumn'], 'must not be the target column');
}

interface SourceColumns {
  /** The column the model predicts. */
  readonly target: string;
  /** The model's input columns. */
  readonly features: readonly string[];
  /** Orders rows for a time split; may also be a feature. */
  readonly timeColumn?: string;
}

export interface QueryParameter {
  readonly type: (typeof QUERY_PARAMETER_TYPES)[number];
  readonly value: string | number | boolean;
}

/** Where the training snapshot comes from: a table (optionally sampled) or a parameterized query. */
export type ModelSource =
  | (SourceColumns & { readonly kind: 'table'; readonly table: TableReference; readonly sampleFraction?: number })
  | (SourceColumns & { readonly kind: 'query'; readonly query: string; readonly parameters: Readonly<Record<string, QueryParameter>> });

const source = sourceFields.superRefine(checkSource).transform((s): ModelSource => {
  const columns: SourceColumns = { target: s.target, features: s.features, ...(s.timeColumn === undefined ? {} : { timeColumn: s.timeColumn }) };
  if (s.table !== undefined) return { kind: 'table', table: s.table, ...(s.sampleFraction === undefined ? {} : { sampleFraction: s.sampleFraction }), ...columns };
  return { kind: 'query', query: s.query ?? '', parameters: s.parameters ?? {}, ...columns };
});

// ---- pipeline, schedule, evaluation, endpoint -------------------------------------------------

const pipeline = strict({
  name: oneOf(PIPELINE_NAMES),
  /** The pipeline's parameters other than those the control plane or other spec fields set. */
  parameters: z.record(z.string(), jsonValue).default({}),
  /** The service account the PipelineJob runs as; absent: Vertex's default. */
  serviceAccount: z.email({ error: (issue) => `must be a service account email, got ${JSON.stringify(issue.input)}` }).optional(),
  /** Reuse cached task results; a request may override it. */
  enableCaching: z.boolean().default(false),
}).superRefine((p, ctx) => {
  for (const problem of pipelineParameterProblems(p.name, p.parameters)) {
    ctx.addIssue({ code: 'custom', message: problem.message, path: ['parameters', ...problem.path] });
  }
});

const schedule = strict({
  /** unix-cron, as Cloud Scheduler takes it. */
  cron: checkedString(cronProblem),
  /** tz database name; Cloud Scheduler's default is Etc/UTC. */
  timeZone: checkedString(timeZoneProblem).default('Etc/UTC'),
  /** false: the Scheduler job exists but is paused. */
  enabled: z.boolean().default(true),
});

const bound = strict({ min: z.number().optional(), max: z.number().optional() }).superRefine((b, ctx) => {
  if (b.min === undefined && b.max === undefined) ctx.addIssue({ code: 'custom', message: 'must set `min`, `max` or both' });
  if (b.min !== undefined && b.max !== undefined && b.min > b.max) ctx.addIssue({ code: 'custom', message: `min ${b.min} is above max ${b.max}`, path: ['min'] });
});

const evaluation = strict({
  /** The gate: metric → bounds the challenger's test metrics must meet. */
  thresholds: z
    .record(z.string(), bound)
    .default({})
    .superRefine((thresholds, ctx) => {
      for (const metric of Object.keys(thresholds)) {
        if (!GATE_METRICS.includes(metric)) ctx.addIssue({ code: 'custom', message: `is not a metric: ${notOneOf(metric, GATE_METRICS)}`, path: [metric] });
      }
    }),
  championChallenger: strict({
    /** The metric compared on the shared test split. */
    metric: z.string(),
    /** How much better (in the metric's own units) the challenger must be. */
    minImprovement: z.number().min(0).default(0),
    /** Confidence of the paired bootstrap interval of the difference. */
    confidence: z.number().min(0.5).max(0.999).default(0.95),
    bootstrapSamples: z.int().min(100).max(100_000).default(1000),
    /**
     * Retrains triggered by drift, performance or age replace a champion trained on a world that has
     * moved: such a challenger is registered (and rolled out, where the canary proves it on live
     * traffic) unless it is clearly worse, its interval's worse end beyond this share of the
     * champion's metric. Absent: it must beat the champion like any other run.
     */
    automaticRetrainMaxDegradation: z.number().min(0).max(1).optional(),
  }),
});

function predictionMachineTypeProblem(machineType: string): string | undefined {
  const offered = machineTypes('prediction');
  if (offered.has(machineType)) return undefined;
  return `${JSON.stringify(machineType)} is not a machine type Vertex AI offers for prediction${suggestion(closestName(machineType, offered))}`;
}

const endpoint = strict({
  displayName: checkedString((name) => (name.trim() === '' ? 'must not be empty' : displayNameProblem(name))),
  /** Serving machine; the serving container follows from the pipeline's model_type. */
  machineType: checkedString(predictionMachineTypeProblem).default('n1-standard-2'),
  minReplicaCount: z.int().min(1).default(1),
  /** Defaults to minReplicaCount (no autoscaling). */
  maxReplicaCount: z.int().min(1).optional(),
  requestResponseLogging: strict({
    samplingRate: z.number().gt(0).max(1).default(1),
    /** `dataset.table` (or `project.dataset.table`): Vertex writes each request and response there. */
    bigqueryTable: tableReference,
  }).optional(),
})
  .superRefine((e, ctx) => {
    if (e.maxReplicaCount !== undefined && e.maxReplicaCount < e.minReplicaCount) {
      ctx.addIssue({ code: 'custom', message: `must be at least minReplicaCount (${e.minReplicaCount})`, path: ['maxReplicaCount'] });
    }
  })
  .transform((e) => ({ ...e, maxReplicaCount: e.maxReplicaCount ?? e.minReplicaCount }));

// ---- what environments may change ---------------------------------------------------------------

/** Durations a spec sets (in seconds once parsed) and their defaults. */
const DURATION_DEFAULTS = {
  /** Least time between two automatic retrains of the model (drift alerts are debounced by it). */
  retrainCooldown: '6h',
  /** How long each canary analysis step observes traffic before its verdict. */
  rolloutAnalysisWindow: '1h',
  /** Least time between two measurements within an analysis step. */
  rolloutAnalysisInterval: '5m',
  /** How long the old version stays deployed (at 0%) after a promotion, for a fast manual return. */
  rolloutScaleDownDelay: '1h',
  /** A canary deployment not serving after this long aborts the rollout. */
  rolloutDeployTimeout: '30m',
  /** The recent traffic each drift check compares with the training baseline (and scores on actuals). */
  driftWindow: '24h',
  /** A champion older than this is retrained (the model-age check). */
  maxModelAge: '30d',
} as const;

const durations = strict({
  retrainCooldown: duration.prefault(DURATION_DEFAULTS.retrainCooldown),
  rolloutAnalysisWindow: duration.prefault(DURATION_DEFAULTS.rolloutAnalysisWindow),
  rolloutAnalysisInterval: duration.prefault(DURATION_DEFAULTS.rolloutAnalysisInterval),
  rolloutScaleDownDelay: duration.prefault(DURATION_DEFAULTS.rolloutScaleDownDelay),
  rolloutDeployTimeout: duration.prefault(DURATION_DEFAULTS.rolloutDeployTimeout),
  driftWindow: duration.prefault(DURATION_DEFAULTS.driftWindow),
  maxModelAge: duration.prefault(DURATION_DEFAULTS.maxModelAge),
}).prefault({});
const durationOverrides = strict({
  retrainCooldown: duration.optional(),
  rolloutAnalysisWindow: duration.optional(),
  rolloutAnalysisInterval: duration.optional(),
  rolloutScaleDownDelay: duration.optional(),
  rolloutDeployTimeout: duration.optional(),
  driftWindow: duration.optional(),
  maxModelAge: duration.optional(),
});

const approverList = z.array(z.email({ error: (issue) => `must be an email address, got ${JSON.stringify(issue.input)}` }));

const approvals = strict({
  /** Starting a challenger's rollout: `required` waits for `:approve` before the first step. */
  deployment: oneOf(APPROVAL_MODES).default('none'),
  /** Who may approve (their verified identity token's email). */
  approvers: approverList.default([]),
}).prefault({});
const approvalOverrides = strict({ deployment: oneOf(APPROVAL_MODES).optional(), approvers: approverList.optional() });

const environmentOverride = strict(
  { durations: durationOverrides.optional(), approvals: approvalOverrides.optional() },
  (key) => `environments may override only durations and approvals; \`${key}\` is structure, declared once at the top level`,
);


// ---- rollout (part 2) ------------------------------------------------------------------------------

/** Quality metrics a canary's logged predictions can be scored with, by task (joined with the actuals). */
export const ROLLOUT_QUALITY_METRICS = { regression: ['rmse', 'mae'], classification: ['accuracy'] } as const;
export const MANUAL_TRAFFIC_POLICIES = ['pause', 'abort'] as const;

/**
 * What one analysis judges. Ratios compare the canary with the stable version over the same window;
 * the slack terms keep noise on tiny numbers (0 errors against 1, 2 ms against 3 ms) from failing a
 * healthy canary: a limit is max(ratio × stable, stable + slack).
 */
const analysisCriteriaShape = {
  /** Canary requests in the window before any verdict; fewer at the window's end is Inconclusive. */
  minRequests: z.int().min(1),
  maxErrorRateRatio: z.number().min(1),
  errorRateSlack: z.number().min(0).max(1),
  maxLatencyP95Ratio: z.number().min(1),
  latencyP95SlackMs: z.number().min(0),
  /** Relative degradation of the quality metric (0.05: at most 5% worse), judged on its confidence interval. */
  maxQualityDegradation: z.number().min(0),
  /** Predictions joined with actuals per version before the quality metric counts; fewer is Inconclusive. */
  minQualitySamples: z.int().min(2),
  /** Two-sample KS statistic of canary vs stable predictions above which the step fails; absent: reported only. */
  maxPredictionShift: z.number().gt(0).max(1).optional(),
  /** Failed measurements tolerated in a step (Argo's failureLimit; 0: the first fails it). */
  failureLimit: z.int().min(0),
  /** Measurements in a row that could not be taken (query errors) before the step fails. */
  consecutiveErrorLimit: z.int().min(0),
};
const ANALYSIS_DEFAULTS = {
  minRequests: 100, maxErrorRateRatio: 2, errorRateSlack: 0.01, maxLatencyP95Ratio: 1.5, latencyP95SlackMs: 10,
  maxQualityDegradation: 0.05, minQualitySamples: 50, failureLimit: 0, consecutiveErrorLimit: 4,
} as const;
const analysisCriteria = strict({
  minRequests: analysisCriteriaShape.minRequests.default(ANALYSIS_DEFAULTS.minRequests),
  maxErrorRateRatio: analysisCriteriaShape.maxErrorRateRatio.default(ANALYSIS_DEFAULTS.maxErrorRateRatio),
  errorRateSlack: analysisCriteriaShape.errorRateSlack.default(ANALYSIS_DEFAULTS.errorRateSlack),
  maxLatencyP95Ratio: analysisCriteriaShape.maxLatencyP95Ratio.default(ANALYSIS_DEFAULTS.maxLatencyP95Ratio),
  latencyP95SlackMs: analysisCriteriaShape.latencyP95SlackMs.default(ANALYSIS_DEFAULTS.latencyP95SlackMs),
  maxQualityDegradation: analysisCriteriaShape.maxQualityDegradation.default(ANALYSIS_DEFAULTS.maxQualityDegradation),
  minQualitySamples: analysisCriteriaShape.minQualitySamples.default(ANALYSIS_DEFAULTS.minQualitySamples),
  maxPredictionShift: analysisCriteriaShape.maxPredictionShift,
  failureLimit: analysisCriteriaShape.failureLimit.default(ANALYSIS_DEFAULTS.failureLimit),
  consecutiveErrorLimit: analysisCriteriaShape.consecutiveErrorLimit.default(ANALYSIS_DEFAULTS.consecutiveErrorLimit),
}).prefault({});
/** A step's own criteria: each field tightens (or loosens) the policy's for that step only. */
const criteriaOverrides = strict({
  minRequests: analysisCriteriaShape.minRequests.optional(),
  maxErrorRateRatio: analysisCriteriaShape.maxErrorRateRatio.optional(),
  errorRateSlack: analysisCriteriaShape.errorRateSlack.optional(),
  maxLatencyP95Ratio: analysisCriteriaShape.maxLatencyP95Ratio.optional(),
  latencyP95SlackMs: analysisCriteriaShape.latencyP95SlackMs.optional(),
  maxQualityDegradation: analysisCriteriaShape.maxQualityDegradation.optional(),
  minQualitySamples: analysisCriteriaShape.minQualitySamples.optional(),
  maxPredictionShift: analysisCriteriaShape.maxPredictionShift,
  failureLimit: analysisCriteriaShape.failureLimit.optional(),
  consecutiveErrorLimit: analysisCriteriaShape.consecutiveErrorLimit.optional(),
});

/** Argo's canary steps: one key each. A pause without a duration waits for `:promote`. */
const rolloutStep = z.union(
  [
    strict({ setWeight: z.int().min(1).max(99) }),
    strict({ pause: strict({ duration: duration.optional() }) }),
    strict({ analysis: criteriaOverrides.prefault({}) }),
  ],
  { error: 'must be one of {setWeight: N}, {pause: {}} / {pause: {duration: "10m"}} or {analysis: {...criteria}}' },
);
const DEFAULT_STEPS = [{ setWeight: 5 }, { analysis: {} }, { setWeight: 20 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }];

const groundTruth = strict({
  /** `dataset.table` (or `project.dataset.table`) holding the actual outcomes. */
  table: tableReference,
  /** The key each predicted instance carries and the actuals table has as a column. */
  idField: columnName,
  /** The actuals table's column with the true value. */
  labelColumn: columnName,
  metric: z.string().default('rmse'),
  /** Of the quality metric's interval. */
  confidence: z.number().min(0.5).max(0.999).default(0.95),
});

/** Weights rise step by step, and nothing but a setWeight comes first. */
function checkStepOrder(steps: readonly z.output<typeof rolloutStep>[] | undefined, ctx: z.RefinementCtx): void {
  let weight = 0;
  (steps ?? []).forEach((step, index) => {
    if ('setWeight' in step) {
      if (step.setWeight <= weight) ctx.addIssue({ code: 'custom', message: `must be above the previous weight (${weight})`, path: ['steps', index, 'setWeight'] });
      weight = step.setWeight;
    } else if (weight === 0) {
      ctx.addIssue({ code: 'custom', message: 'comes before any setWeight: the canary serves nothing yet', path: ['steps', index] });
    }
  });
}

/** What a rollout request may change of its model's policy (the API's `policy` field). */
export const rolloutPolicyOverride = strict({
  steps: z.array(rolloutStep).min(1).optional(),
  analysis: criteriaOverrides.optional(),
  onManualTrafficChange: oneOf(MANUAL_TRAFFIC_POLICIES).optional(),
}).superRefine((policy, ctx) => checkStepOrder(policy.steps, ctx));
export type RolloutPolicyOverride = z.output<typeof rolloutPolicyOverride>;

const rolloutPolicy = strict({
  /** In order; after the last one the canary is promoted to 100%. Default: 5% → 20% → 50% with analysis after each. */
  steps: z.array(rolloutStep).min(1).prefault(DEFAULT_STEPS),
  /** The criteria every analysis step starts from. */
  analysis: analysisCriteria,
  /** Where ground truth exists: the actuals joined with logged predictions score each version. */
  groundTruth: groundTruth.optional(),
  /** What a change of the endpoint's traffic made outside the rollout does: pause it (default) or abort it. */
  onManualTrafficChange: oneOf(MANUAL_TRAFFIC_POLICIES).default('pause'),
})
  .superRefine((policy, ctx) => checkStepOrder(policy.steps, ctx))
  .prefault({});

// ---- drift (part 3) --------------------------------------------------------------------------------

/** Vertex Model Monitoring's distances: Jensen-Shannon divergence for numeric, L-infinity for categorical features. */
export const DRIFT_DISTANCE_THRESHOLD_DEFAULT = 0.3;
/** Metrics the performance check can score the champion's logged predictions with, joined with the actuals. */
export const PERFORMANCE_METRICS = { regression: ['r2', 'rmse', 'mae'], classification: ['accuracy'] } as const;
/** The feature name under which the served predictions are watched (the baseline's `prediction` entry). */
export const PREDICTION_FEATURE = 'prediction';
/** Cloud Monitoring allows at most 6 conditions in a policy: one per distinct threshold, one for PSI. */
export const MAX_DRIFT_CONDITIONS = 6;

const driftPolicy = strict({
  /** Baseline features watched, by their baseline names (derived ones too, e.g. `date_hour`); default: all. */
  features: z.array(columnName).min(1).optional(),
  /** Also watch the served predictions against the model's predictions on its training data. */
  prediction: z.boolean().default(true),
  /** A feature has drifted when its distance is above this (Vertex Model Monitoring's default, 0.3). */
  threshold: z.number().gt(0).max(1).default(DRIFT_DISTANCE_THRESHOLD_DEFAULT),
  /** Per-feature thresholds, overriding `threshold`. */
  thresholds: z.record(columnName, z.number().gt(0).max(1)).default({}),
  /** PSI above which a feature alerts too (the "retrain now" tier); absent: PSI is reported only. */
  psiThreshold: z.number().gt(0).optional(),
  /** Instances a version must have served in the window before its drift is scored. */
  minInstances: z.int().min(1).default(100),
  /** The champion's quality on the actuals (rollout.groundTruth) over the drift window; below the bound it is retrained. */
  performance: strict({
    metric: z.string(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** Logged predictions joined with actuals before the check judges. */
    minSamples: z.int().min(2).default(100),
  })
    .superRefine((p, ctx) => {
      if (p.min === undefined && p.max === undefined) ctx.addIssue({ code: 'custom', message: 'must set `min` (r2, accuracy) or `max` (rmse, mae)' });
    })
    .optional(),
  /** Retrain a champion older than `durations.maxModelAge`. */
  modelAgeCheck: z.boolean().default(true),
  /**
   * What a retrain these checks trigger trains on: the drifted world is the recent one, so a spec
   * may point its source query's parameters at the recent period, and change pipeline parameters.
   */
  retrain: strict({
    sourceParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' })).default({}),
    parameterOverrides: z.record(z.string(), jsonValue).default({}),
  }).prefault({}),
}).superRefine((drift, ctx) => {
  if (drift.features !== undefined) {
    for (const feature of Object.keys(drift.thresholds)) {
      if (!drift.features.includes(feature) && feature !== PREDICTION_FEATURE) {
        ctx.addIssue({ code: 'custom', message: `is not a watched feature${suggestion(closestName(feature, drift.features))}`, path: ['thresholds', feature] });
      }
    }
  }
  const distinct = new Set([drift.threshold, ...Object.values(drift.thresholds)]).size + (drift.psiThreshold === undefined ? 0 : 1);
  if (distinct > MAX_DRIFT_CONDITIONS) {
    ctx.addIssue({ code: 'custom', message: `set ${distinct} distinct thresholds (PSI included); Cloud Monitoring allows ${MAX_DRIFT_CONDITIONS} conditions in the model's alert policy`, path: ['thresholds'] });
  }
});

// ---- tuning (part 4) -------------------------------------------------------------------------------

const bound64 = z.number({ error: 'must be a number' });
const scale = oneOf(Object.keys(SCALES) as [Scale, ...Scale[]]).optional();
const ENTRY_TYPES = ['integer', 'double', 'discrete', 'categorical'];
function entryTypeProblem(input: unknown): string {
  const type = typeof input === 'object' && input !== null && 'type' in input ? input.type : input;
  const forms = '{type: integer|double, min, max, scale?}, {type: discrete, values: [numbers]} or {type: categorical, values: [strings]}';
  return typeof type === 'string' ? `${notOneOf(type, ENTRY_TYPES)}: a range is ${forms}` : `must be ${forms}`;
}
/** One hyperparameter's range, in a readable form (see config/tuning-space.ts for what Vertex gets). */
const searchSpaceEntry = z
  .discriminatedUnion('type', [
    strict({ type: z.literal('integer'), min: bound64, max: bound64, scale }),
    strict({ type: z.literal('double'), min: bound64, max: bound64, scale }),
    strict({ type: z.literal('discrete'), values: z.array(z.number()).min(1), scale }),
    strict({ type: z.literal('categorical'), values: z.array(z.string().min(1)).min(1) }),
  ], { error: (issue) => (issue.code === 'invalid_union' ? entryTypeProblem(issue.input) : undefined) })
  .superRefine((entry, ctx) => {
    const problem = entryProblem(entry);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  });

/** One model type's overrides: only hyperparameters the trainer accepts for that type. */
function typeSpace(modelType: ModelType) {
  return z.record(z.string(), searchSpaceEntry).superRefine((entries, ctx) => {
    const known = TUNABLE_HYPERPARAMETERS[modelType];
    for (const name of Object.keys(entries)) {
      if (!known.includes(name)) ctx.addIssue({ code: 'custom', message: `is not a hyperparameter ${modelType} tunes${suggestion(closestName(name, known))}`, path: [name] });
    }
    for (const [name, entry] of Object.entries(entries)) {
      const problem = hyperparameterProblem(name, entry);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem.message, path: [name, ...problem.path] });
    }
  });
}

/** Per model type, hyperparameter → range: replaces that hyperparameter's default range, or adds one. */
export const searchSpaceOverrides = strict(
  { random_forest: typeSpace('random_forest').optional(), gradient_boosting: typeSpace('gradient_boosting').optional(), ridge: typeSpace('ridge').optional(), xgboost: typeSpace('xgboost').optional() },
  (key) => `is not a model type: ${notOneOf(key, MODEL_TYPES)}`,
);

const tuningPolicy = strict({
  /** The model types one study searches across (its `model_type` parameter); default: the pipeline's model_type. */
  modelTypes: z.array(oneOf(MODEL_TYPES)).min(1).optional(),
  /** The validation metric trials report; its goal follows from it (rmse: minimize). Default: the train step's (rmse, accuracy). */
  metric: z.string().optional(),
  /** bayesian (Vizier's default), random or grid. */
  algorithm: oneOf(TUNING_ALGORITHM_NAMES).default('bayesian'),
  maxTrials: z.int().min(1).max(1000).default(12),
  parallelTrials: z.int().min(1).max(100).default(3),
  /** Failed trials before the study fails (0: Vertex decides). */
  maxFailedTrials: z.int().min(0).max(1000).default(3),
  earlyStopping: oneOf(EARLY_STOPPING).default('none'),
  space: searchSpaceOverrides.default({}),
}).superRefine((t, ctx) => {
  if (t.parallelTrials > t.maxTrials) ctx.addIssue({ code: 'custom', message: `must be at most maxTrials (${t.maxTrials})`, path: ['parallelTrials'] });
  if (t.maxFailedTrials > t.maxTrials) ctx.addIssue({ code: 'custom', message: `must be at most maxTrials (${t.maxTrials})`, path: ['maxFailedTrials'] });
  t.modelTypes?.forEach((type, index) => {
    if (t.modelTypes!.indexOf(type) !== index) ctx.addIssue({ code: 'custom', message: `lists ${type} twice`, path: ['modelTypes', index] });
  });
});

/** The tuning checks that need the rest of the spec: the task's metrics, the searched types, grid search. */
function checkTuning(spec: { task: TaskType; pipeline: { parameters: Readonly<Record<string, JsonValue>> }; tuning?: z.output<typeof tuningPolicy> | undefined }, ctx: z.RefinementCtx): void {
  const tuning = spec.tuning;
  if (tuning === undefined) return;
  const metrics = TUNING_METRICS[spec.task];
  if (tuning.metric !== undefined && !metrics.includes(tuning.metric)) {
    ctx.addIssue({ code: 'custom', message: `is not a ${spec.task} metric a trial reports: ${notOneOf(tuning.metric, metrics)}`, path: ['tuning', 'metric'] });
  }
  const modelTypes = tuningModelTypes(spec);
  for (const type of Object.keys(tuning.space) as ModelType[]) {
    if (!modelTypes.includes(type)) {
      ctx.addIssue({ code: 'custom', message: `the study does not search ${type} (modelTypes: ${modelTypes.join(', ')})`, path: ['tuning', 'space', type] });
    }
  }
  if (tuning.algorithm === 'grid') {
    for (const problem of gridProblems(modelTypes, tuning.space)) {
      ctx.addIssue({ code: 'custom', message: gridProblemMessage(problem), path: problem.overridden ? ['tuning', 'space', problem.modelType, problem.parameter] : ['tuning', 'algorithm'] });
    }
    const tooBig = gridSizeProblem(modelTypes, tuning.space, tuning.maxTrials);
    if (tooBig !== undefined) ctx.addIssue({ code: 'custom', message: tooBig, path: ['tuning', 'maxTrials'] });
  }
}

/** The model types a spec's studies search: `tuning.modelTypes`, else the pipeline's model_type (its default: random_forest). */
export function tuningModelTypes(spec: { pipeline: { parameters: Readonly<Record<string, JsonValue>> }; tuning?: { modelTypes?: readonly ModelType[] | undefined } | undefined }): ModelType[] {
  if (spec.tuning?.modelTypes !== undefined) return [...spec.tuning.modelTypes];
  const type = spec.pipeline.parameters.model_type;
  return [typeof type === 'string' && (MODEL_TYPES as readonly string[]).includes(type) ? (type as ModelType) : 'random_forest'];
}

// ---- the spec ---------------------------------------------------------------------------------------

export const modelSpecSchema = strict({
  /** The model's id: the file's name, the Vertex model's display name and the API's `models/{name}`. */
  name: z.string().regex(MODEL_NAME, { error: (issue) => `must be a lowercase id: a letter, then at most 62 lowercase letters, digits and hyphens, got ${JSON.stringify(issue.input)}` }),
  displayName: checkedString((name) => (name.trim() === '' ? 'must not be empty' : displayNameProblem(name))),
  description: z.string().default(''),
  /** What the model is for and who should use it (its model card's "Intended use"); absent: a generic text from `description`. */
  intendedUse: z.string().optional(),
  /** What the model should not be trusted for (the model card adds the generic limits of training on a window). */
  knownLimits: z.array(z.string().min(1)).default([]),
  source,
  task: oneOf(TASK_TYPES),
  pipeline,
  /** Scheduled retraining; absent: the model retrains only on request or drift. */
  schedule: schedule.optional(),
  evaluation,
  endpoint,
  durations,
  approvals,
  rollout: rolloutPolicy,
  /** Drift, performance and model-age checks; absent: none (and no alert policy). */
  drift: driftPolicy.optional(),
  /** Hyperparameter tuning runs (`POST .../tuningRuns`); absent: a study of the pipeline's model type with the defaults. */
  tuning: tuningPolicy.optional(),
  environments: strict(
    { local: environmentOverride.optional(), dev: environmentOverride.optional(), prod: environmentOverride.optional() },
    (key) => `unknown environment: ${notOneOf(key, ENVIRONMENTS)}`,
  ).default({}),
}).superRefine((spec, ctx) => {
  const metrics = EVALUATION_METRICS[spec.task];
  for (const metric of Object.keys(spec.evaluation.thresholds)) {
    if (GATE_METRICS.includes(metric) && !metrics.includes(metric)) {
      ctx.addIssue({ code: 'custom', message: `is not a ${spec.task} metric: ${notOneOf(metric, metrics)}`, path: ['evaluation', 'thresholds', metric] });
    }
  }
  const metric = spec.evaluation.championChallenger.metric;
  if (!metrics.includes(metric)) ctx.addIssue({ code: 'custom', message: notOneOf(metric, metrics), path: ['evaluation', 'championChallenger', 'metric'] });
  const quality: readonly string[] = ROLLOUT_QUALITY_METRICS[spec.task];
  if (spec.rollout.groundTruth !== undefined && !quality.includes(spec.rollout.groundTruth.metric)) {
    ctx.addIssue({ code: 'custom', message: `is not a ${spec.task} metric a rollout can score: ${notOneOf(spec.rollout.groundTruth.metric, quality)}`, path: ['rollout', 'groundTruth', 'metric'] });
  }
  const retrain = spec.drift?.retrain;
  if (retrain !== undefined) {
    const declared = spec.source.kind === 'query' ? spec.source.parameters : {};
    for (const [name, value] of Object.entries(retrain.sourceParameters)) {
      const parameter = declared[name];
      const problem = parameter === undefined
        ? `is not a parameter of the source query${suggestion(closestName(name, Object.keys(declared)))}`
        : queryValueProblem(parameter.type, value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['drift', 'retrain', 'sourceParameters', name] });
    }
    for (const problem of pipelineParameterProblems(spec.pipeline.name, { ...spec.pipeline.parameters, ...(retrain.parameterOverrides as Record<string, never>) })) {
      if (problem.path[0] !== undefined && Object.hasOwn(retrain.parameterOverrides, problem.path[0])) {
        ctx.addIssue({ code: 'custom', message: problem.message, path: ['drift', 'retrain', 'parameterOverrides', ...problem.path] });
      }
    }
  }
  const performance = spec.drift?.performance;
  if (performance !== undefined) {
    const allowed: readonly string[] = PERFORMANCE_METRICS[spec.task];
    if (!allowed.includes(performance.metric)) ctx.addIssue({ code: 'custom', message: `is not a ${spec.task} metric the performance check can score: ${notOneOf(performance.metric, allowed)}`, path: ['drift', 'performance', 'metric'] });
    if (spec.rollout.groundTruth === undefined) ctx.addIssue({ code: 'custom', message: 'needs rollout.groundTruth: the actuals the champion is scored on', path: ['drift', 'performance'] });
  }
  for (const env of ENVIRONMENTS) {
    const resolved = { ...spec.approvals, ...Object.fromEntries(Object.entries(spec.environments[env]?.approvals ?? {}).filter(([, v]) => v !== undefined)) };
    if (resolved.deployment === 'required' && resolved.approvers.length === 0) {
      const path = spec.environments[env]?.approvals ? ['environments', env, 'approvals'] : ['approvals'];
      ctx.addIssue({ code: 'custom', message: `requires deployment approvals in ${env}, so approvers must list at least one email`, path });
    }
  }
  checkTuning(spec, ctx);
  if (spec.pipeline.parameters.split_strategy === 'time' && spec.source.timeColumn === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a time split needs source.timeColumn', path: ['pipeline', 'parameters', 'split_strategy'] });
  }
});

/** A parsed spec, defaults applied, durations in seconds. */
export type ModelSpec = z.output<typeof modelSpecSchema>;
export type EnvironmentOverride = z.output<typeof environmentOverride>;
export type ModelDurations = ModelSpec['durations'];
export type ModelApprovals = ModelSpec['approvals'];
export type RolloutPolicy = ModelSpec['rollout'];
export type RolloutStep = RolloutPolicy['steps'][number];
export type AnalysisCriteria = RolloutPolicy['analysis'];
export type GroundTruth = NonNullable<RolloutPolicy['groundTruth']>;
export type ModelEndpoint = ModelSpec['endpoint'];
export type ModelEvaluation = ModelSpec['evaluation'];
export type ModelSchedule = NonNullable<ModelSpec['schedule']>;
export type DriftPolicy = NonNullable<ModelSpec['drift']>;
export type TuningPolicy = NonNullable<ModelSpec['tuning']>;
