// Completion events name their PipelineJob as Vertex does, possibly with the project NUMBER where
// the control plane wrote the project ID: both the tuning router and the training completion must
// still recognise their job (location + job id decide).
import { describe, expect, it } from 'vitest';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import { samePipelineJob } from '../../../control-plane/retraining/pipeline-job-name.js';
import { newTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { TrainingRuns, trainingRunId } from '../../../control-plane/state/training-runs.js';
import { isTuningRunEvent, tuningPipelineJobName } from '../../../control-plane/tuning/run-events.js';
import { MapStore } from './map-store.js';

const settings = readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: 'us-central1' });
const MODEL = 'flight-delay';
const byNumber = (name: string) => name.replace(/^projects\/my-project\//, 'projects/123456789/');

describe('samePipelineJob', () => {
  const name = 'projects/my-project/locations/us-central1/pipelineJobs/training-pipeline-abc';
  it('matches the project ID and number spellings of one job, and nothing else', () => {
    expect(samePipelineJob(name, byNumber(name))).toBe(true);
    expect(samePipelineJob(name, name.replace('us-central1', 'europe-west4'))).toBe(false);
    expect(samePipelineJob(name, `${name}d`)).toBe(false);
    expect(samePipelineJob(undefined, name)).toBe(false);
    expect(samePipelineJob('pipelineJobs/x', 'pipelineJobs/y')).toBe(false);
  });
});

describe('routing a completion event named with the project number', () => {
  it('is the tuning run\'s event when its job is the tuning run\'s', () => {
    const job = tuningPipelineJobName(settings, MODEL, 'tune-1');
    expect(isTuningRunEvent(settings, { pipelineJob: byNumber(job), state: 'SUCCEEDED', model: MODEL, requestId: 'tune-1' })).toBe(true);
    expect(isTuningRunEvent(settings, { pipelineJob: byNumber(job), state: 'SUCCEEDED', model: MODEL, requestId: 'tune-2' })).toBe(false);
  });

  it('completes the training run whose recorded job it is (not a duplicate about another job)', async () => {
    const store = new MapStore();
    const runs = new TrainingRuns(store.asStore());
    const job = `projects/my-project/locations/us-central1/pipelineJobs/training-pipeline-0123456789abcdef`;
    const request = { requestId: 'r-1', model: MODEL, trigger: 'api' as const, reason: 'test', requestTime: new Date().toISOString() };
    await runs.createOrGet({ ...newTrainingRun(request, new Date()), state: 'RUNNING', pipelineJob: job });
    const asked: string[] = [];
    const reached = new Error('the completion proper was reached');
    const ctx = {
      settings,
      now: () => new Date(),
      models: { require: () => ({ name: MODEL }) },
      runs,
      clients: { pipelines: () => Promise.resolve({ getPipelineJob: ({ name }: { name: string }) => { asked.push(name); return Promise.reject(reached); } }) },
    } as unknown as ControlPlaneContext;
    const outcome = await completeTrainingRun(ctx, { pipelineJob: byNumber(job), state: 'SUCCEEDED', model: MODEL, requestId: 'r-1' }, 'delivery-1').then((r) => r, (e: unknown) => e);
    expect(outcome).toBe(reached);
    expect(asked).toEqual([byNumber(job)]);
    expect((await runs.get(trainingRunId(MODEL, 'r-1')))!.value.lease).toBeUndefined();
  });
});
