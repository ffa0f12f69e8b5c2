// What GET /v1/models/{model}/experimentRuns and GET /v1/models/{model}/versions/{version}/lineage
// answer: the shapes the console reads, as zod schemas (the handlers' results are parsed with them,
// so a drift between the two is a failing test, not a broken page).
import { z } from 'zod';

const Scalar = z.union([z.number(), z.string()]);

export const ExperimentRunView = z.strictObject({
  /** The run's context, `projects/.../metadataStores/default/contexts/{experiment}-{run}`. */
  name: z.string(),
  /** The run's name in its experiment (the training run id, or `{tuningRunId}-trial-{n}`). */
  runId: z.string(),
  kind: z.enum(['training', 'tuning-trial']),
  /** The SDK's run state: RUNNING, COMPLETE, FAILED or CANCELLED. */
  state: z.string(),
  params: z.record(z.string(), Scalar),
  metrics: z.record(z.string(), Scalar),
  description: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  /** Where the run comes from: resource names of the control plane (`trainingRuns/…`, `tuningRuns/…`, `decisions/…`) and of Vertex. */
  links: z.strictObject({
    trainingRun: z.string().optional(),
    tuningRun: z.string().optional(),
    trial: z.string().optional(),
    tuningJob: z.string().optional(),
    pipelineJob: z.string().optional(),
    modelVersion: z.string().optional(),
    decision: z.string().optional(),
  }),
});
export type ExperimentRunView = z.infer<typeof ExperimentRunView>;

export const ListExperimentRunsResponse = z.strictObject({
  /** The model's experiment context. */
  experiment: z.string(),
  experimentRuns: z.array(ExperimentRunView),
  nextPageToken: z.string().optional(),
});
export type ListExperimentRunsResponse = z.infer<typeof ListExperimentRunsResponse>;

/** `?pageSize=&pageToken=&kind=` of the list. */
export const ListExperimentRunsQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
  pageToken: z.string().max(2000).optional(),
  kind: z.enum(['training', 'tuning-trial']).optional(),
});
export type ListExperimentRunsQuery = z.infer<typeof ListExperimentRunsQuery>;

export const LineageNode = z.strictObject({
  /** The artifact's or execution's resource name. */
  id: z.string(),
  type: z.enum(['artifact', 'execution']),
  schemaTitle: z.string(),
  displayName: z.string(),
  /** Artifacts: where the data is (gs://…, https://…aiplatform…/v1/{resource}). */
  uri: z.string().optional(),
  /** The Vertex resource the node stands for (`metadata.resourceName`, or a PipelineJob / model version named in its metadata). */
  resourceName: z.string().optional(),
  /** Artifact (LIVE, PENDING) or Execution (RUNNING, COMPLETE, FAILED, …) state. */
  state: z.string(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  metadata: z.record(z.string(), z.json()),
});
export type LineageNode = z.infer<typeof LineageNode>;

/** An event: INPUT is artifact → execution, OUTPUT is execution → artifact. */
export const LineageEdge = z.strictObject({ source: z.string(), target: z.string(), event: z.enum(['INPUT', 'OUTPUT']) });
export type LineageEdge = z.infer<typeof LineageEdge>;

export const LineageChainStep = z.strictObject({
  stage: z.enum(['snapshot', 'pipelineRun', 'modelVersion', 'deployment', 'rollout']),
  /** The resource: the snapshot's gs:// folder, the PipelineJob, the model version, the rollout or endpoint. */
  name: z.string(),
  displayName: z.string(),
  /** The metadata node it was read from, when there is one. */
  node: z.string().optional(),
  state: z.string().optional(),
  /** Releases: deployed, promoted, rolled back, degraded, in progress. */
  outcome: z.string().optional(),
  time: z.string().optional(),
});
export type LineageChainStep = z.infer<typeof LineageChainStep>;

export const LineageView = z.strictObject({
  model: z.string(),
  /** The version asked for, resolved: `projects/.../models/{model}@{versionId}`. */
  version: z.string(),
  /** The version's google.VertexModel artifact. */
  artifact: z.string(),
  nodes: z.array(LineageNode),
  edges: z.array(LineageEdge),
  /** snapshot → pipeline run → model version → its deployments and rollouts, oldest first. */
  chain: z.array(LineageChainStep),
});
export type LineageView = z.infer<typeof LineageView>;
