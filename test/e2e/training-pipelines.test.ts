// The project's pipelines on the local cloud, end to end, through the official clients: a
// BigQuery snapshot, the real Python components, Vertex's pipeline engine, and (for the tuning
// variant) a HyperparameterTuningJob submitted from inside the pipeline.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { readGateDecision } from '../../vertex/shared/gate-decision.js';
import { projectPipelineJobRequest } from '../../vertex/requests/project-pipeline-job.js';
import { trainingPipeline, trainingPipelineWithTuning } from '../../pipelines/definitions/training-pipeline.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../emulators/launcher/seed.js';
import { bigQueryClient, storageClient, vertexClients } from '../../google-clients/index.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import type { TestCloud } from '../support/local-cloud.js';
import { startTestCloud } from '../support/local-cloud.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skipReason = python.status === 0 ? undefined : `/usr/bin/python3 lacks sklearn/pandas/xgboost: ${python.stderr.trim().split('\n').at(-1) ?? ''}`;
if (skipReason) console.warn(`end-to-end pipeline tests skipped: ${skipReason}`);

const LOCATION = 'us-central1';

describe.skipIf(skipReason !== undefined)('training pipelines on the local cloud', () => {
  let cloud: TestCloud;
  let vertex: ReturnType<typeof vertexClients>;
  let snapshotUri: string;
  const bucket = 'local-project-pipelines';

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true });
    const ce = { projectId: cloud.projectId, env: cloud.env };
    vertex = vertexClients(LOCATION, ce);
    await storageClient(ce).createBucket(bucket);
    const [job] = await bigQueryClient(ce).createQueryJob({
      query: `EXPORT DATA OPTIONS(uri='gs://${bucket}/snapshot/part-*.csv', format='CSV', header=true) AS SELECT * FROM \`${cloud.projectId}.${SAMPLES_DATASET}.${FIXTURE_TABLE}\``,
    });
    await job.getQueryResults();
    snapshotUri = `gs://${bucket}/snapshot/part-000000000000.csv`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(vertex ?? {}).map((c) => c.close()));
    await cloud?.teardown();
  });

  async function run(definition: PipelineDefinition, runKey: string, parameterValues: Record<string, JsonValue>): Promise<IPipelineJob> {
    const request = projectPipelineJobRequest(definition, {
      project: cloud.projectId,
      location: LOCATION,
      runKey,
      gcsOutputDirectory: `gs://${bucket}/root`,
      parameterValues,
    });
    const [created] = await vertex.pipelines.createPipelineJob(request);
    for (;;) {
      const [job] = await vertex.pipelines.getPipelineJob({ name: created.name! });
      if (['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'].includes(String(job.state))) return job;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  const localPath = (uri: string) => join(cloud.dataDir, 'storage', uri.slice('gs://'.length));
  const task = (job: IPipelineJob, name: string) => job.jobDetail?.taskDetails?.find((t) => t.taskName === name);

  it('trains, evaluates, gates and exports a model a prebuilt sklearn server can load', async () => {
    const job = await run(trainingPipeline(), 'e2e-rf', {
      training_data_uri: snapshotUri,
      target_column: 'delay',
      model_type: 'random_forest',
      hyperparameters: { n_estimators: 20, max_depth: 6 },
      thresholds: { rmse: { max: 1000 } },
    });
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    expect(String(task(job, 'gate-model')?.execution?.metadata?.fields?.['output:approved']?.boolValue)).toBe('true');
    const decision = readGateDecision(job);
    expect(decision?.decision).toBe('approved');
    expect(decision?.reason).toMatch(/^approved: rmse \d+(\.\d+)? \(<= 1000\)$/);
    const serving = task(job, 'export-serving-artifact')?.outputs?.serving_model?.artifacts?.[0]?.uri;
    expect(serving).toMatch(/^gs:\/\/local-project-pipelines\/root\//);
    for (const file of ['model.joblib', 'input_schema.json', 'baseline_statistics.json']) expect(existsSync(join(localPath(serving!), file))).toBe(true);
  }, 120_000);

  it('a candidate the gate rejects ends SUCCEEDED, the decision readable as rejected with its reason, nothing exported', async () => {
    const job = await run(trainingPipeline(), 'e2e-rejected', {
      training_data_uri: snapshotUri,
      target_column: 'delay',
      model_type: 'ridge',
      thresholds: { r2: { min: 0.999 } },
    });
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    const decision = readGateDecision(job);
    expect(decision?.decision).toBe('rejected');
    expect(decision?.reason).toMatch(/^rejected: r2: -?\d.* is below the minimum 0\.999$/);
    expect(task(job, 'export-serving-artifact')?.state ?? 'NOT_TRIGGERED').not.toBe('SUCCEEDED');
  }, 120_000);

  it('data that fails validation fails the run with the validation report\'s reason as the error', async () => {
    const job = await run(trainingPipeline(), 'e2e-invalid', {
      training_data_uri: snapshotUri,
      target_column: 'delay',
      min_row_count: 1_000_000,
      column_ranges: { distance: { max: 1 } },
    });
    expect(job.state).toBe('PIPELINE_STATE_FAILED');
    expect(job.error?.message).toMatch(/The failed tasks are: \[validate-data\]/);
    expect(job.error?.message).toMatch(/validate_data failed: the dataset failed validation: row_count: \d+ rows \(minimum 1000000\); range:distance: \d+ values outside/);
    const validation = task(job, 'validate-data');
    expect(validation?.state).toBe('FAILED');
    expect(validation?.error?.message).toMatch(/Termination reason: Error\. validate_data failed: the dataset failed validation: row_count/);
    expect(task(job, 'preprocess-split')).toBeUndefined();
    expect(readGateDecision(job)).toBeUndefined();
  }, 120_000);

  it('the tuning variant runs a HyperparameterTuningJob and refits with the best trial', async () => {
    const job = await run(trainingPipelineWithTuning(), 'e2e-hpt', {
      training_data_uri: snapshotUri,
      target_column: 'delay',
      project: cloud.projectId,
      model_type: 'ridge',
      study_spec_parameters: [{ parameterId: 'alpha', doubleValueSpec: { minValue: 0.01, maxValue: 10 }, scaleType: 'UNIT_LOG_SCALE' }],
      max_trial_count: 2,
      parallel_trial_count: 1,
      tuning_poll_seconds: 0.5,
      thresholds: { rmse: { max: 1000 } },
    });
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    const [tuningJobs] = await vertex.jobs.listHyperparameterTuningJobs({ parent: `projects/${cloud.projectId}/locations/${LOCATION}` });
    expect(tuningJobs).toHaveLength(1);
    expect(tuningJobs[0]!.state).toBe('JOB_STATE_SUCCEEDED');
    expect(tuningJobs[0]!.trials).toHaveLength(2);
    expect(tuningJobs[0]!.labels?.['local-vertex-algorithm']).toBe('random-search');
    const best = task(job, 'tune-hyperparameters')?.execution?.metadata?.fields?.['output:best_hyperparameters']?.structValue?.fields?.alpha?.numberValue;
    expect(best).toBeGreaterThanOrEqual(0.01);
    expect(best).toBeLessThanOrEqual(10);
  }, 180_000);
});
