// The ids and metadata the control plane writes to ML Metadata, as the Vertex AI SDK writes them,
// and the lineage chain read back from a subgraph: pure functions, no cloud.
import { describe, expect, it } from 'vitest';
import { directLineage, experimentRunView, lineageChain } from '../../../control-plane/api/tracking.js';
import type { LineageEdge, LineageNode } from '../../../control-plane/api/tracking-views.js';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import type { DecisionRecord } from '../../../control-plane/evaluation/decision.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import {
  datasetArtifactId, experimentId, experimentRunContextId, experimentRunMetadata, keepTerminalState, modelArtifactId, rolloutExecutionId, scalarParams, trialRunName,
} from '../../../control-plane/tracking/conventions.js';
import { trainingRunMetrics, trainingRunParams } from '../../../control-plane/tracking/experiments.js';
import { rolloutOutcome } from '../../../control-plane/tracking/lineage.js';
import { mergeMetadata, sameJson } from '../../../control-plane/tracking/metadata-store.js';
import { toStruct } from '../../../vertex/shared/struct.js';

/** Vertex's rule for context, artifact and execution ids. */
const VERTEX_ID = /^[a-z][a-z0-9-]{3,127}$/;

describe('ids', () => {
  it('names the experiment after the model, and a run `{experiment}-{run}` as the SDK does', () => {
    expect(experimentId('flight-delay')).toBe('flight-delay');
    expect(experimentRunContextId('flight-delay', 'flight-delay-req-1-abc')).toBe('flight-delay-flight-delay-req-1-abc');
  });

  it('keeps every id valid for Vertex whatever the input, and distinct inputs apart', () => {
    const odd = experimentId('Model_With CAPS');
    expect(odd).toMatch(VERTEX_ID);
    expect(experimentId('Model_With CAPS')).toBe(odd);
    const long = experimentRunContextId('flight-delay', 'x'.repeat(200));
    expect(long).toMatch(VERTEX_ID);
    expect(long.length).toBeLessThanOrEqual(121);
    expect(experimentRunContextId('flight-delay', `${'x'.repeat(199)}y`)).not.toBe(long);
    for (const id of [
      datasetArtifactId('gs://b/snapshots/flight-delay/req-1-abc/'),
      modelArtifactId('projects/p/locations/us-central1/models/flight-delay@3'),
      rolloutExecutionId('flight-delay-v3', 2),
      experimentRunContextId('flight-delay', trialRunName('flight-delay-tuning-t1-abc', '12')),
    ]) expect(id).toMatch(VERTEX_ID);
    expect(modelArtifactId('projects/p/locations/us-central1/models/flight-delay@3')).not.toBe(modelArtifactId('projects/p/locations/us-central1/models/flight-delay@4'));
    expect(rolloutExecutionId('r', 1)).not.toBe(rolloutExecutionId('r', 2));
  });
});

describe('run metadata', () => {
  it('logs scalar params only, flattening objects and keeping numbers as numbers', () => {
    expect(scalarParams({ a: 1, b: 'x', c: true, d: null, e: [1, 2], f: { g: 2, h: { i: 'j' } }, n: Number.NaN })).toEqual({ a: 1, b: 'x', c: 'true', e: '[1,2]', 'f.g': 2, 'f.h.i': 'j' });
  });

  it('writes the SDK keys _params, _metrics and _state with the links beside them', () => {
    expect(experimentRunMetadata({ kind: 'training', state: 'RUNNING', params: { a: 1 }, links: { training_run: 'trainingRuns/x', model_version: undefined } })).toEqual({
      _params: { a: 1 },
      _metrics: {},
      _state: 'RUNNING',
      mlops_kind: 'training',
      training_run: 'trainingRuns/x',
    });
  });

  it('never moves a finished run back to RUNNING (a late duplicate of the submission)', () => {
    expect(keepTerminalState({ _state: 'COMPLETE' }, { _state: 'RUNNING', x: 1 })).toEqual({ _state: 'COMPLETE', x: 1 });
    expect(keepTerminalState({ _state: 'RUNNING' }, { _state: 'FAILED' })).toEqual({ _state: 'FAILED' });
  });

  it('merges metadata key by key, nested maps too, and compares it regardless of key order', () => {
    const merged = mergeMetadata({ _params: { a: 1 }, _metrics: { rmse: 3 }, other: 'kept' }, { _params: { b: 2 }, _metrics: {}, _state: 'COMPLETE' });
    expect(merged).toEqual({ _params: { a: 1, b: 2 }, _metrics: { rmse: 3 }, other: 'kept', _state: 'COMPLETE' });
    expect(sameJson({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
  });

  it("takes a training run's params from the spec and the request (hyperparameters under their own names) and its metrics from the decision", () => {
    const spec = ModelCatalog.load('local').require('flight-delay');
    const run = {
      id: 'flight-delay-r1', name: 'trainingRuns/flight-delay-r1', trigger: 'api',
      parameterOverrides: { model_type: 'xgboost', hyperparameters: { n_estimators: 40, learning_rate: 0.1 } },
    } as unknown as TrainingRunRecord;
    const params = trainingRunParams(spec, run);
    expect(params).toMatchObject({ model_type: 'xgboost', n_estimators: 40, learning_rate: 0.1, trigger: 'api' });
    expect(Object.keys(params).some((k) => k.startsWith('hyperparameters'))).toBe(false);
    const decision = { name: 'decisions/x', outcome: 'REGISTER_AS_CHALLENGER', metrics: { rmse: 12.5, mae: 8 }, gate: { approved: true, reason: '' }, comparison: { metric: 'rmse', difference: -0.4, verdict: 'better', reason: '' } } as unknown as DecisionRecord;
    expect(trainingRunMetrics(decision)).toEqual({ rmse: 12.5, mae: 8, gate_approved: 1, rmse_difference_vs_champion: -0.4, decision: 'REGISTER_AS_CHALLENGER' });
    expect(trainingRunMetrics(undefined)).toEqual({});
  });

  it('reads an experiment run context back as the console shows it', () => {
    const view = experimentRunView({
      name: 'projects/p/locations/l/metadataStores/default/contexts/flight-delay-t-trial-3',
      displayName: 't-trial-3',
      createTime: { seconds: 1_700_000_000, nanos: 0 },
      metadata: toStruct({ _params: { model_type: 'ridge', alpha: 0.5, nested: { x: 1 } }, _metrics: { rmse: 3 }, _state: 'COMPLETE', mlops_kind: 'tuning-trial', tuning_run: 'tuningRuns/t', trial: '3' }, 'metadata'),
    });
    expect(view).toEqual({
      name: 'projects/p/locations/l/metadataStores/default/contexts/flight-delay-t-trial-3',
      runId: 't-trial-3',
      kind: 'tuning-trial',
      state: 'COMPLETE',
      params: { model_type: 'ridge', alpha: 0.5 },
      metrics: { rmse: 3 },
      createTime: '2023-11-14T22:13:20.000Z',
      links: { tuningRun: 'tuningRuns/t', trial: '3' },
    });
  });
});

describe('lineage', () => {
  it("gives a rollout attempt's outcome from its phase", () => {
    expect(rolloutOutcome({ phase: 'PROMOTED' })).toEqual({ state: 'COMPLETE', outcome: 'promoted' });
    expect(rolloutOutcome({ phase: 'ABORTED' })).toEqual({ state: 'FAILED', outcome: 'rolled back' });
    expect(rolloutOutcome({ phase: 'PROGRESSING' })).toEqual({ state: 'RUNNING', outcome: 'in progress' });
  });

  it("keeps a version's ancestors and descendants, not another version reached through their shared endpoint", () => {
    const node = (id: string): LineageNode => ({ id, type: id.startsWith('x') ? 'execution' : 'artifact', schemaTitle: 's', displayName: id, state: 'LIVE', metadata: {} });
    const edges: LineageEdge[] = [
      { source: 'data', target: 'xreg2', event: 'INPUT' }, { source: 'xreg2', target: 'v2', event: 'OUTPUT' },
      { source: 'v2', target: 'xrollout', event: 'INPUT' }, { source: 'xrollout', target: 'endpoint', event: 'OUTPUT' },
      { source: 'v1', target: 'xdeploy1', event: 'INPUT' }, { source: 'xdeploy1', target: 'endpoint', event: 'OUTPUT' },
    ];
    const graph = directLineage('v2', ['data', 'xreg2', 'v2', 'xrollout', 'endpoint', 'v1', 'xdeploy1'].map(node), edges);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(['data', 'endpoint', 'v2', 'xreg2', 'xrollout']);
    expect(graph.edges).toHaveLength(4);
  });

  it('orders the chain snapshot → pipeline run → version → releases, oldest release first, ignoring unrelated nodes', () => {
    const node = (id: string, type: LineageNode['type'], schemaTitle: string, metadata: LineageNode['metadata'] = {}, extra: Partial<LineageNode> = {}): LineageNode => ({ id, type, schemaTitle, displayName: id, state: type === 'artifact' ? 'LIVE' : 'COMPLETE', metadata, ...extra });
    const nodes = [
      node('ds', 'artifact', 'system.Dataset', {}, { uri: 'gs://b/snapshots/m/r1/' }),
      node('exported', 'artifact', 'system.Model', {}, { uri: 'gs://b/pipeline-root/model' }),
      node('reg', 'execution', 'system.ContainerExecution', { kind: 'registration', pipelineJob: 'projects/p/locations/l/pipelineJobs/job-1', trainingRun: 'trainingRuns/r1' }),
      node('v', 'artifact', 'google.VertexModel', {}, { resourceName: 'projects/p/locations/l/models/m@2' }),
      node('late', 'execution', 'system.ContainerExecution', { kind: 'rollout', rollout: 'rollouts/m-v2', outcome: 'promoted' }, { createTime: '2026-01-02T00:00:00Z' }),
      node('early', 'execution', 'system.ContainerExecution', { kind: 'rollout', rollout: 'rollouts/m-v2', outcome: 'rolled back' }, { createTime: '2026-01-01T00:00:00Z', state: 'FAILED' }),
      node('train', 'execution', 'system.ContainerExecution', {}),
    ];
    const edges: LineageEdge[] = [
      { source: 'train', target: 'exported', event: 'OUTPUT' },
      { source: 'ds', target: 'reg', event: 'INPUT' },
      { source: 'exported', target: 'reg', event: 'INPUT' },
      { source: 'reg', target: 'v', event: 'OUTPUT' },
      { source: 'v', target: 'late', event: 'INPUT' },
      { source: 'v', target: 'early', event: 'INPUT' },
    ];
    expect(lineageChain('v', nodes, edges).map((s) => [s.stage, s.name, s.outcome])).toEqual([
      ['snapshot', 'gs://b/snapshots/m/r1/', undefined],
      ['pipelineRun', 'projects/p/locations/l/pipelineJobs/job-1', 'trained by trainingRuns/r1'],
      ['modelVersion', 'projects/p/locations/l/models/m@2', undefined],
      ['rollout', 'rollouts/m-v2', 'rolled back'],
      ['rollout', 'rollouts/m-v2', 'promoted'],
    ]);
  });
});
