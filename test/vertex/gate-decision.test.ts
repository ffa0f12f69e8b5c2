// Reading a training run's results from a PipelineJob's task details, as Vertex returns them
// (execution metadata as google.protobuf.Struct, output artifacts with their URIs).
import { describe, expect, it } from 'vitest';
import { readChampionComparison, readGateDecision, readTrainingArtifacts } from '../../vertex/shared/gate-decision.js';
import { pipelineTaskOutputs } from '../../vertex/shared/pipeline-outputs.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import type { JsonObject } from '../../vertex/shared/struct.js';
import { toStruct } from '../../vertex/shared/struct.js';

const ROOT = 'gs://runs/root/123/training-pipeline-r1';

const comparison = {
  metric: 'rmse', direction: 'lower', challenger: 10.5, champion: 11.25, difference: -0.75, ci_low: -1.1, ci_high: -0.4,
  confidence: 0.95, n_rows: 4500, bootstrap_samples: 1000, min_improvement: 0, champion_model_uri: 'gs://runs/champion/serving_model',
  verdict: 'better', reason: 'better: rmse 10.5 vs champion 11.25, …',
};

type Task = { name: string; state?: string; parameters?: JsonObject; artifacts?: Record<string, string> };

function job(state: string, tasks: Task[]): IPipelineJob {
  return {
    name: 'projects/p/locations/us-central1/pipelineJobs/training-r1',
    state,
    jobDetail: {
      taskDetails: [
        { taskId: 1, taskName: 'training-pipeline-r1', state: 'SUCCEEDED', execution: { metadata: toStruct({}, 'm') } },
        ...tasks.map((t, i) => ({
          taskId: i + 2,
          parentTaskId: 1,
          taskName: t.name,
          state: t.state ?? 'SUCCEEDED',
          execution: {
            metadata: toStruct(Object.fromEntries([
              ['input:task_type', 'regression'],
              ...Object.entries(t.parameters ?? {}).map(([k, v]) => [`output:${k}`, v]),
            ]) as JsonObject, 'm'),
          },
          outputs: Object.fromEntries(Object.entries(t.artifacts ?? {}).map(([k, uri]) => [k, { artifacts: [{ uri }] }])),
        })),
      ],
    },
  } as IPipelineJob;
}

const approvedRun = (): IPipelineJob => job('PIPELINE_STATE_SUCCEEDED', [
  { name: 'evaluate-model', artifacts: { evaluation: `${ROOT}/evaluate-model/evaluation`, metrics: `${ROOT}/evaluate-model/metrics` } },
  { name: 'gate-model', parameters: { approved: true, reason: 'approved: rmse 10.5 (<= 20)' } },
  { name: 'compare-with-champion', state: 'SKIPPED', parameters: { verdict: 'better', comparison } },
  { name: 'export-serving-artifact', artifacts: { serving_model: `${ROOT}/export-serving-artifact/serving_model` } },
]);

describe('training run results from the task details', () => {
  it('reads the gate decision, the comparison (a cache hit has its outputs too) and the artifacts', () => {
    const run = approvedRun();
    expect(readGateDecision(run)).toEqual({ decision: 'approved', reason: 'approved: rmse 10.5 (<= 20)' });
    expect(readChampionComparison(run)).toEqual({
      metric: 'rmse', direction: 'lower', challenger: 10.5, champion: 11.25, difference: -0.75, ciLow: -1.1, ciHigh: -0.4,
      confidence: 0.95, nRows: 4500, bootstrapSamples: 1000, minImprovement: 0, championModelUri: 'gs://runs/champion/serving_model',
      verdict: 'better', reason: 'better: rmse 10.5 vs champion 11.25, …',
    });
    expect(readTrainingArtifacts(run)).toEqual({
      evaluationUri: `${ROOT}/evaluate-model/evaluation`,
      servingModelUri: `${ROOT}/export-serving-artifact/serving_model`,
    });
    expect(pipelineTaskOutputs(run, 'gate-model')).toEqual({
      state: 'SUCCEEDED', parameters: { approved: true, reason: 'approved: rmse 10.5 (<= 20)' }, artifactUris: {},
    });
    expect(pipelineTaskOutputs(run, 'no-such-task')).toBeUndefined();
  });

  it('a rejected candidate: the decision and the comparison, no serving model', () => {
    const run = job('PIPELINE_STATE_SUCCEEDED', [
      { name: 'evaluate-model', artifacts: { evaluation: `${ROOT}/evaluation` } },
      { name: 'gate-model', parameters: { approved: false, reason: 'rejected: r2: 0.41 is below the minimum 0.6' } },
      { name: 'compare-with-champion', parameters: { verdict: 'no_champion', comparison: { ...comparison, champion: null, difference: null, ci_low: null, ci_high: null, verdict: 'no_champion' } } },
    ]);
    expect(readGateDecision(run)?.decision).toBe('rejected');
    expect(readChampionComparison(run)).toMatchObject({ verdict: 'no_champion', champion: null, ciLow: null });
    expect(readTrainingArtifacts(run)).toEqual({ evaluationUri: `${ROOT}/evaluation` });
  });

  it('nothing is read from a run that has not succeeded', () => {
    for (const state of ['PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'] as const) {
      const run = { ...approvedRun(), state };
      expect(readGateDecision(run)).toBeUndefined();
      expect(readChampionComparison(run)).toBeUndefined();
      expect(readTrainingArtifacts(run)).toBeUndefined();
    }
  });

  it('a succeeded run without the tasks or with malformed outputs is not a training run: the error names the task and field', () => {
    const empty = job('PIPELINE_STATE_SUCCEEDED', []);
    expect(() => readGateDecision(empty)).toThrow("PipelineJob projects/p/locations/us-central1/pipelineJobs/training-r1 has no task 'gate-model': not a training pipeline run");
    const malformed = job('PIPELINE_STATE_SUCCEEDED', [
      { name: 'gate-model', parameters: { approved: 'yes', reason: 'x' } },
      { name: 'compare-with-champion', parameters: { comparison: { ...comparison, verdict: 'maybe' } } },
    ]);
    expect(() => readGateDecision(malformed)).toThrow(/task 'gate-model' outputs: approved: /);
    expect(() => readChampionComparison(malformed)).toThrow(/task 'compare-with-champion' output 'comparison': verdict: /);
  });
});
