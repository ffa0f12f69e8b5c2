// Training runs and tuning trials as Vertex AI Experiment runs: the model's experiment, one run per
// training run (RUNNING when its PipelineJob is submitted, COMPLETE or FAILED with its evaluation
// metrics and gate outcome when it ends) and one per tuning trial (recorded when the tuning run
// ends). A run's snapshot is a `system.Dataset` artifact in its context; its PipelineJob's pipeline
// run context, when Vertex has made one, becomes a child of the run (as ExperimentRun.log(pipeline_job=...)).
import { log } from '../../logging/log.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import { isTransient } from '../errors.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { tableReferenceText } from '../config/bigquery-source.js';
import { specPipelineParameters } from '../config/pipeline-parameters.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { SnapshotRecord, TrainingRunRecord } from '../state/training-runs.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import type { TuningResult, TuningTrial } from '../tuning/tuning-result.js';
import type { ScalarValue } from './conventions.js';
import {
  EXPERIMENT_METADATA, SCHEMA, SCHEMA_VERSION, datasetArtifactId, experimentId, experimentRunContextId, experimentRunMetadata,
  keepTerminalState, metricsArtifactId, scalarParams, trialRunName,
} from './conventions.js';
import type { IContext, MetadataStore, NodeSpec } from './metadata-store.js';
import { nextMetadata, sameMetadataName } from './metadata-store.js';
import { metadataStore } from './store.js';

/** The model's experiment context (created on first use); returns its resource name. */
export async function ensureExperiment(store: MetadataStore, spec: Pick<ResolvedModelSpec, 'name' | 'description'>): Promise<string> {
  const context = await store.ensureContext({
    id: experimentId(spec.name),
    schemaTitle: SCHEMA.experiment,
    schemaVersion: SCHEMA_VERSION,
    displayName: experimentId(spec.name),
    ...(spec.description ? { description: spec.description.slice(0, 1000) } : {}),
    metadata: { ...EXPERIMENT_METADATA },
  });
  return context.name ?? store.contextName(experimentId(spec.name));
}

/** The snapshot's Dataset artifact: the export's folder, and where in BigQuery it came from. */
export async function ensureSnapshotDataset(store: MetadataStore, project: string, spec: ResolvedModelSpec, snapshot: SnapshotRecord, sourceParameters?: Readonly<Record<string, JsonValue>>): Promise<string> {
  const source = spec.source;
  const declared = source.kind === 'query' ? Object.fromEntries(Object.entries(source.parameters).map(([k, p]) => [k, p.value])) : {};
  const artifact = await store.ensureArtifact({
    id: datasetArtifactId(snapshot.uri),
    schemaTitle: SCHEMA.dataset,
    schemaVersion: SCHEMA_VERSION,
    displayName: `${spec.name} snapshot ${snapshot.createTime}`,
    uri: snapshot.uri,
    metadata: {
      bigqueryJob: snapshot.bigqueryJob,
      rowCount: snapshot.rowCount,
      createTime: snapshot.createTime,
      ...(source.kind === 'table'
        ? { sourceTable: tableReferenceText(source.table, project), ...(source.sampleFraction === undefined ? {} : { sampleFraction: source.sampleFraction }) }
        : { sourceQuery: source.query, queryParameters: { ...declared, ...(sourceParameters ?? {}) } }),
      ...(source.timeColumn ? { timeColumn: source.timeColumn } : {}),
      ...timeWindow(sourceParameters ?? {}, declared),
      target: source.target,
      features: [...source.features],
    },
  });
  return artifact.name ?? store.artifactName(datasetArtifactId(snapshot.uri));
}

/** The query's time window, when its parameters say one (`start_*`/`end_*`, `from`/`to`). */
function timeWindow(overrides: Readonly<Record<string, JsonValue>>, declared: Readonly<Record<string, JsonValue>>): { timeWindow?: { start?: JsonValue; end?: JsonValue } } {
  const all = { ...declared, ...overrides };
  const start = Object.entries(all).find(([k]) => /^(start|from|begin)(_|$)|_(start|from)$/i.test(k));
  const end = Object.entries(all).find(([k]) => /^(end|to|until)(_|$)|_(end|to)$/i.test(k));
  if (!start && !end) return {};
  return { timeWindow: { ...(start ? { start: start[1] } : {}), ...(end ? { end: end[1] } : {}) } };
}

/** What a training run trained with: its model type and hyperparameters (plain names, as a trial's), the pipeline parameters and its trigger. */
export function trainingRunParams(spec: ResolvedModelSpec, run: TrainingRunRecord): Record<string, ScalarValue> {
  const requested: Record<string, JsonValue> = { ...specPipelineParameters(spec), ...((run.parameterOverrides ?? {}) as Record<string, JsonValue>) };
  const { hyperparameters, ...pipeline } = requested;
  const plainHyperparameters = typeof hyperparameters === 'object' && hyperparameters !== null && !Array.isArray(hyperparameters) ? scalarParams(hyperparameters) : {};
  return {
    ...scalarParams(pipeline),
    ...plainHyperparameters,
    ...(typeof requested.model_type === 'string' ? { model_type: requested.model_type } : {}),
    trigger: run.trigger,
    ...(run.evaluatedVersion ? { evaluated_version: run.evaluatedVersion } : {}),
    ...(run.tuningRun ? { tuning_run: run.tuningRun } : {}),
  };
}

/** What a finished run measured: the evaluation's test metrics, the gate and the decision. */
export function trainingRunMetrics(decision: DecisionRecord | undefined): Record<string, ScalarValue> {
  if (!decision) return {};
  const comparison = decision.comparison;
  return {
    ...decision.metrics,
    ...(decision.gate ? { gate_approved: decision.gate.approved ? 1 : 0 } : {}),
    ...(typeof comparison?.difference === 'number' ? { [`${comparison.metric}_difference_vs_champion`]: comparison.difference } : {}),
    decision: decision.outcome,
  };
}

export interface TrainingRunTracking {
  readonly spec: ResolvedModelSpec;
  readonly run: TrainingRunRecord;
  /** The PipelineJob's resource name. */
  readonly pipelineJob: string;
  /** Its `system.PipelineRun` context (PipelineJob.jobDetail.pipelineRunContext), once Vertex made it. */
  readonly pipelineRunContext?: string;
  readonly state: 'RUNNING' | 'COMPLETE' | 'FAILED';
  readonly decision?: DecisionRecord;
  readonly modelVersion?: string;
}

export function trainingRunContextId(model: string, runId: string): string {
  return experimentRunContextId(experimentId(model), runId);
}

/** Records (or brings up to date) a training run's experiment run; returns the run context's name. */
export async function recordTrainingRun(ctx: ControlPlaneContext, t: TrainingRunTracking): Promise<string> {
  const store = metadataStore(ctx);
  const experiment = await ensureExperiment(store, t.spec);
  const id = trainingRunContextId(t.spec.name, t.run.id);
  const metrics = trainingRunMetrics(t.decision);
  const context = await store.ensureContext(
    {
      id,
      schemaTitle: SCHEMA.experimentRun,
      schemaVersion: SCHEMA_VERSION,
      displayName: t.run.id,
      description: t.run.reason.slice(0, 1000),
      metadata: experimentRunMetadata({
        kind: 'training',
        state: t.state,
        params: trainingRunParams(t.spec, t.run),
        metrics,
        links: {
          training_run: t.run.name,
          pipeline_job: t.pipelineJob,
          ...(t.decision ? { decision: t.decision.name } : {}),
          ...(t.modelVersion ? { model_version: t.modelVersion } : {}),
          ...(t.run.tuningRun ? { tuning_run: `tuningRuns/${t.run.tuningRun}` } : {}),
        },
      }),
    },
    keepTerminalState,
  );
  const name = context.name ?? store.contextName(id);
  await store.addChildren(experiment, [name]);
  const artifacts: string[] = [];
  const dataset = t.run.snapshot ? await ensureSnapshotDataset(store, ctx.settings.projectId, t.spec, t.run.snapshot, t.run.sourceParameters) : undefined;
  if (dataset) artifacts.push(dataset);
  // The SDK's summary metrics live on the context; a system.Metrics artifact carries them for lineage views too.
  if (t.state !== 'RUNNING' && Object.keys(metrics).length > 0) {
    const metricsId = metricsArtifactId(id);
    const artifact = await store.ensureArtifact({ id: metricsId, schemaTitle: SCHEMA.metrics, schemaVersion: SCHEMA_VERSION, displayName: `${t.run.id} metrics`, metadata: metrics });
    artifacts.push(artifact.name ?? store.artifactName(metricsId));
  }
  await store.addToContext(name, artifacts);
  if (t.pipelineRunContext) await store.addChildren(name, [t.pipelineRunContext]);
  return name;
}

const TRIAL_STATE: Record<TuningTrial['state'], 'COMPLETE' | 'FAILED' | 'CANCELLED'> = { SUCCEEDED: 'COMPLETE', INFEASIBLE: 'FAILED', STOPPED: 'CANCELLED' };

/** At most this many trials are written at once (a study has up to hundreds). */
const TRIAL_CONCURRENCY = 8;

/**
 * Every finished trial of a tuning run as an experiment run: its model type and hyperparameters, its
 * objective value and state. A trial is linked to the experiment last (one call per chunk), so a
 * linked trial is a complete one: a redelivery skips those already linked and unchanged. One trial's
 * failure does not stop the others; a transient one is rethrown at the end (the redelivery records
 * what is missing), permanent ones are logged.
 */
export async function recordTuningTrials(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TuningRunRecord, result: TuningResult, pipelineRunContext?: string): Promise<string[]> {
  const store = metadataStore(ctx);
  const experiment = await ensureExperiment(store, spec);
  const recorded = await recordedTrials(store, experiment, run);
  const dataset = run.snapshot ? await ensureSnapshotDataset(store, ctx.settings.projectId, spec, run.snapshot, run.sourceParameters) : undefined;
  const names: string[] = [];
  const unlinked: string[] = [];
  const errors: unknown[] = [];
  const queue = [...result.trials];
  const work = async () => {
    for (let trial = queue.shift(); trial; trial = queue.shift()) {
      const wanted = trialContextSpec(spec, run, result, trial, pipelineRunContext);
      const stored = recorded.get(wanted.id);
      if (stored && nextMetadata(stored, wanted, keepTerminalState) === undefined) {
        names.push(stored.name ?? store.contextName(wanted.id));
        continue;
      }
      try {
        const context = await store.ensureContext(wanted, keepTerminalState);
        const name = context.name ?? store.contextName(wanted.id);
        if (dataset) await store.addToContext(name, [dataset]);
        names.push(name);
        if (!(context.parentContexts ?? []).some((p) => sameMetadataName(p, experiment))) unlinked.push(name);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  // Workers never reject: every trial is tried before anything is reported.
  await Promise.all(Array.from({ length: Math.min(TRIAL_CONCURRENCY, queue.length) }, work));
  await store.linkChildren(experiment, unlinked);
  const transient = errors.find(isTransient);
  if (transient !== undefined) throw transient as Error;
  for (const err of errors) log('WARNING', `ML Metadata: a trial of tuning run ${run.id} not recorded`, { error: String((err as Error)?.message ?? err).slice(0, 2000) });
  return names.sort();
}

/** The run's trials already linked to the experiment, by context id. */
async function recordedTrials(store: MetadataStore, experiment: string, run: TuningRunRecord): Promise<Map<string, IContext>> {
  const client = await store.metadataClient();
  const filter = [`schema_title = "${SCHEMA.experimentRun}"`, `parent_contexts:${JSON.stringify(experiment)}`, `metadata.tuning_run.string_value = ${JSON.stringify(run.name)}`].join(' AND ');
  const [contexts] = await client.listContexts({ parent: store.name, filter });
  return new Map(contexts.map((c) => [String(c.name).slice(String(c.name).lastIndexOf('/') + 1), c]));
}

/**
 * One trial's run. Its PipelineJob and pipeline run context are links in its metadata, not a child
 * context: one pipeline run under every trial of a study would give it hundreds of parents.
 */
function trialContextSpec(spec: ResolvedModelSpec, run: TuningRunRecord, result: TuningResult, trial: TuningTrial, pipelineRunContext: string | undefined): NodeSpec {
  const id = experimentRunContextId(experimentId(spec.name), trialRunName(run.id, trial.id));
  return {
    id,
    schemaTitle: SCHEMA.experimentRun,
    schemaVersion: SCHEMA_VERSION,
    displayName: trialRunName(run.id, trial.id),
    description: `trial ${trial.id} of tuning run ${run.id}${trial.infeasibleReason ? `: ${trial.infeasibleReason}` : ''}`.slice(0, 1000),
    metadata: experimentRunMetadata({
      kind: 'tuning-trial',
      state: TRIAL_STATE[trial.state],
      params: { model_type: trial.modelType, ...scalarParams(trial.hyperparameters) },
      metrics: trial.value === undefined ? {} : { [result.metric.id]: trial.value },
      links: {
        tuning_run: run.name,
        trial: trial.id,
        tuning_job: result.job || run.tuningJob,
        pipeline_job: run.pipelineJob,
        pipeline_run_context: pipelineRunContext,
        ...(trial.startTime ? { start_time: trial.startTime } : {}),
        ...(trial.endTime ? { end_time: trial.endTime } : {}),
      },
    }),
  };
}
