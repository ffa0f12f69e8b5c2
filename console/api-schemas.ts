// What the console reads from mlopsApi's JSON answers: loose zod schemas of the fields it shows
// (the API may add fields; a missing or mistyped one fails here, naming the field).
import { z } from 'zod';

const Labels = z.record(z.string(), z.string());

export const ModelSummary = z.looseObject({
  name: z.string(),
  displayName: z.string(),
  description: z.string().default(''),
  task: z.string().optional(),
  pipeline: z.string().optional(),
  vertexModel: z.string().optional(),
  environment: z.string().optional(),
  schedule: z.looseObject({ cron: z.string(), timeZone: z.string().optional(), enabled: z.boolean().optional() }).optional(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;
export const ModelList = z.object({ models: z.array(ModelSummary) });

export const Version = z.looseObject({
  name: z.string(),
  versionId: z.string(),
  aliases: z.array(z.string()).default([]),
  createTime: z.string().optional(),
  artifactUri: z.string().optional(),
  labels: Labels.default({}),
  description: z.string().optional(),
  /** gs:// URIs of the version's model card (HTML and Markdown), when it was registered with one. */
  modelCard: z.looseObject({ markdownUri: z.string(), htmlUri: z.string() }).optional(),
});
export type Version = z.infer<typeof Version>;

export const RunSummary = z.looseObject({
  id: z.string(),
  state: z.string(),
  trigger: z.string().optional(),
  reason: z.string().optional(),
  createTime: z.string().optional(),
  pipelineJob: z.string().optional(),
  modelVersion: z.string().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const Model = ModelSummary.extend({
  versions: z.array(Version).default([]),
  champion: z.string().optional(),
  challenger: z.string().optional(),
  endpoint: z
    .looseObject({
      name: z.string(),
      trafficSplit: z.record(z.string(), z.number()).default({}),
      deployedModels: z.array(z.looseObject({ id: z.string(), model: z.string(), displayName: z.string().optional() })).default([]),
    })
    .optional(),
  latestRuns: z.array(RunSummary).default([]),
});
export type Model = z.infer<typeof Model>;

export const Decision = z.looseObject({
  id: z.string().optional(),
  outcome: z.string().optional(),
  reasons: z.array(z.string()).default([]),
  metrics: z.record(z.string(), z.number()).default({}),
  evaluatedVersion: z.string().optional(),
  champion: z.string().optional(),
  decidedAt: z.string().optional(),
});
export type Decision = z.infer<typeof Decision>;

export const Evaluations = z.object({
  evaluations: z.array(
    z.looseObject({ name: z.string(), displayName: z.string().optional(), metricsSchemaUri: z.string().optional(), metrics: z.unknown(), createTime: z.string().optional() }),
  ),
  decisions: z.array(Decision).default([]),
});
export type Evaluations = z.infer<typeof Evaluations>;

const Check = z.looseObject({ name: z.string(), value: z.number().optional(), limit: z.number().optional(), outcome: z.string(), detail: z.string().default('') });
const Interval = z.tuple([z.number(), z.number()]);
const QualitySide = z.looseObject({ n: z.number(), value: z.number().optional(), ci: Interval.optional() });
const Serving = z.looseObject({ requestCount: z.number(), errorRate: z.number().optional(), latencyP95Ms: z.number().optional() });
export const Measurement = z.looseObject({
  at: z.string(),
  windowStart: z.string().optional(),
  windowEnd: z.string().optional(),
  stable: Serving.optional(),
  canary: Serving.optional(),
  predictions: z.looseObject({ stableCount: z.number(), canaryCount: z.number(), ksStatistic: z.number().optional(), pValue: z.number().optional() }).optional(),
  quality: z
    .looseObject({ metric: z.string(), stable: QualitySide, canary: QualitySide, relativeChange: z.looseObject({ estimate: z.number(), ci: Interval }).optional() })
    .optional(),
  checks: z.array(Check).default([]),
  result: z.string(),
  error: z.string().optional(),
});
export type Measurement = z.infer<typeof Measurement>;

export const Rollout = z.looseObject({
  id: z.string(),
  model: z.string().optional(),
  phase: z.string(),
  stepIndex: z.number(),
  canaryWeight: z.number().optional(),
  stable: z.looseObject({ version: z.string(), deployedModelId: z.string().optional() }),
  canary: z.looseObject({ version: z.string(), deployedModelId: z.string().optional() }),
  policy: z.looseObject({ steps: z.array(z.record(z.string(), z.unknown())).default([]), analysis: z.record(z.string(), z.unknown()).optional() }),
  steps: z
    .array(z.looseObject({ index: z.number(), startedAt: z.string().optional(), finishedAt: z.string().optional(), verdict: z.string().optional(), measurements: z.array(Measurement).default([]) }))
    .default([]),
  history: z.array(z.looseObject({ id: z.string(), kind: z.string(), at: z.string(), actor: z.string().default(''), reason: z.string().default(''), stepIndex: z.number().optional() })).default([]),
  abortReason: z.string().optional(),
  createTime: z.string(),
  updateTime: z.string().optional(),
});
export type Rollout = z.infer<typeof Rollout>;
export const RolloutList = z.object({ rollouts: z.array(Rollout) });

const FeatureResult = z.looseObject({
  feature: z.string(),
  kind: z.string().optional(),
  distance: z.looseObject({ metric: z.string(), value: z.number().optional() }),
  psi: z.number().optional(),
  psiTier: z.string().optional(),
  ks: z.number().optional(),
  threshold: z.number(),
  drifted: z.boolean(),
});
export const DriftCheck = z.looseObject({
  model: z.string(),
  checkedAt: z.string(),
  window: z.looseObject({ start: z.string(), end: z.string() }).optional(),
  versions: z.array(z.looseObject({ version: z.string(), versionId: z.string(), trafficPercent: z.number().optional(), insufficient: z.string().optional(), features: z.array(FeatureResult).default([]), drifted: z.array(z.string()).default([]) })),
});
export type DriftCheck = z.infer<typeof DriftCheck>;

export const TuningTrial = z.looseObject({
  id: z.string(),
  state: z.string(),
  modelType: z.string().optional(),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  value: z.number().optional(),
});
export const TuningRun = z.looseObject({
  id: z.string(),
  /** The managed model the run tunes (its short name). */
  model: z.string().optional(),
  state: z.string(),
  createTime: z.string().optional(),
  study: z.looseObject({ modelTypes: z.array(z.string()).default([]), metric: z.looseObject({ id: z.string(), goal: z.string() }), algorithm: z.string().optional(), maxTrialCount: z.number().optional() }),
  pipelineJob: z.string().optional(),
  result: z
    .looseObject({
      trials: z.array(TuningTrial).default([]),
      bestTrialId: z.string().optional(),
      parameterImportance: z.array(z.looseObject({ parameter: z.string(), importance: z.number() })).default([]),
    })
    .optional(),
  results: z.looseObject({ uri: z.string(), plots: z.array(z.looseObject({ name: z.string(), title: z.string().default(''), svg: z.string() })).default([]) }).optional(),
  trainingRun: z.string().optional(),
  error: z.looseObject({ task: z.string().optional(), message: z.string() }).optional(),
});
export type TuningRun = z.infer<typeof TuningRun>;
export const TuningRunList = z.object({ tuningRuns: z.array(TuningRun) });

/** One experiment run, as GET /v1/models/{m}/experimentRuns or Vertex ML Metadata gives it. */
export const ExperimentRun = z.looseObject({
  name: z.string(),
  runId: z.string().optional(),
  displayName: z.string().optional(),
  kind: z.string().optional(),
  state: z.string().optional(),
  createTime: z.string().optional(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  /** Numbers are compared; a string metric (a label) is shown as is. */
  metrics: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  links: z.record(z.string(), z.string()).optional(),
});
export type ExperimentRun = z.infer<typeof ExperimentRun>;
export const ExperimentRunList = z.looseObject({ experiment: z.string().optional(), experimentRuns: z.array(ExperimentRun).default([]), nextPageToken: z.string().optional() });

/** GET /v1/models/{m}/versions/{v}/lineage (control-plane/api/tracking-views.ts). */
export const Lineage = z.looseObject({
  version: z.string(),
  nodes: z.array(z.looseObject({ id: z.string(), type: z.string(), schemaTitle: z.string().default(''), displayName: z.string().default(''), uri: z.string().optional(), state: z.string().default(''), createTime: z.string().optional() })).default([]),
  edges: z.array(z.looseObject({ source: z.string(), target: z.string(), event: z.string() })).default([]),
  chain: z.array(z.looseObject({ stage: z.string(), name: z.string(), displayName: z.string().default(''), state: z.string().optional(), outcome: z.string().optional(), time: z.string().optional() })).default([]),
});
export type Lineage = z.infer<typeof Lineage>;

/** GET /v1/models/{m}/decisions (control-plane/api/decisions.ts): the audit trail, newest first. */
export const Decisions = z.looseObject({
  decisions: z.array(z.looseObject({ id: z.string(), kind: z.string(), decideTime: z.string().optional(), version: z.string().optional(), subject: z.string().default(''), actor: z.string().default(''), reason: z.string().default(''), details: z.record(z.string(), z.unknown()).default({}) })).default([]),
  nextPageToken: z.string().optional(),
});
export type Decisions = z.infer<typeof Decisions>;
