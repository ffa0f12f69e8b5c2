// The tuning pipeline on the local cloud: a BigQuery snapshot, validate and split, one
// HyperparameterTuningJob whose study spans model types (RANDOM_SEARCH: the local Vizier's default
// search is another suite's), trials training the type each one draws, and the summary step.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../emulators/launcher/seed.js';
import { bigQueryClient, storageClient, vertexClients } from '../../google-clients/index.js';
import { modelTypeStudyParameters, splitTrialParameters } from '../../pipelines/definitions/search-spaces.js';
import { TUNING_PIPELINE_TASKS, tuningPipeline } from '../../pipelines/definitions/tuning-pipeline.js';
import { projectPipelineJobRequest } from '../../vertex/requests/project-pipeline-job.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import type { TestCloud } from '../support/local-cloud.js';
import { startTestCloud } from '../support/local-cloud.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skipReason = python.status === 0 ? undefined : `/usr/bin/python3 lacks sklearn/pandas/xgboost: ${python.stderr.trim().split('\n').at(-1) ?? ''}`;
if (skipReason) console.warn(`end-to-end tuning pipeline test skipped: ${skipReason}`);

const LOCATION = 'us-central1';

describe.skipIf(skipReason !== undefined)('tuning pipeline on the local cloud', () => {
  let cloud: TestCloud;
  let vertex: ReturnType<typeof vertexClients>;
  let snapshotUri: string;
  const bucket = 'local-tuning-pipeline';

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

  const task = (job: IPipelineJob, name: string) => job.jobDetail?.taskDetails?.find((t) => t.taskName === name);

  it('runs one tuning job across model types, labelled, and summarizes its trials', async () => {
    const study = modelTypeStudyParameters({
      ridge: [{ parameterId: 'alpha', doubleValueSpec: { minValue: 0.01, maxValue: 10 }, scaleType: 'UNIT_LOG_SCALE' }],
      random_forest: [{ parameterId: 'n_estimators', integerValueSpec: { minValue: '5', maxValue: '15' }, scaleType: 'UNIT_LINEAR_SCALE' }],
    });
    const request = projectPipelineJobRequest(tuningPipeline(), {
      project: cloud.projectId,
      location: LOCATION,
      runKey: 'e2e-tuning',
      gcsOutputDirectory: `gs://${bucket}/root`,
      parameterValues: {
        training_data_uri: snapshotUri,
        target_column: 'delay',
        project: cloud.projectId,
        study_spec_parameters: study,
        algorithm: 'RANDOM_SEARCH',
        max_trial_count: 3,
        parallel_trial_count: 3,
        early_stopping: 'none',
        tuning_job_labels: { tuning_run: 'e2e-run-1' },
        tuning_poll_seconds: 0.5,
        random_seed: 7,
      },
    });
    const [created] = await vertex.pipelines.createPipelineJob(request);
    let job: IPipelineJob = created;
    while (!['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'].includes(String(job.state))) {
      await new Promise((r) => setTimeout(r, 500));
      [job] = await vertex.pipelines.getPipelineJob({ name: created.name! });
    }
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');

    const [tuningJobs] = await vertex.jobs.listHyperparameterTuningJobs({ parent: `projects/${cloud.projectId}/locations/${LOCATION}` });
    expect(tuningJobs).toHaveLength(1);
    const tuningJob = tuningJobs[0]!;
    expect(tuningJob.labels?.tuning_run).toBe('e2e-run-1');
    expect(tuningJob.state).toBe('JOB_STATE_SUCCEEDED');
    expect(tuningJob.trials).toHaveLength(3);
    // Trials train with the run's seed, as its refit does (not train's default, 42).
    const trialArgs = tuningJob.trialJobSpec?.workerPoolSpecs?.[0]?.containerSpec?.args ?? [];
    expect(trialArgs[trialArgs.indexOf('--random-seed') + 1]).toBe('7');
    for (const trial of tuningJob.trials ?? []) {
      expect(trial.state).toBe('SUCCEEDED');
      const parameters = Object.fromEntries((trial.parameters ?? []).map((p) => [p.parameterId!, (p.value?.stringValue ?? p.value?.numberValue)!]));
      expect(['ridge', 'random_forest']).toContain(splitTrialParameters(parameters).modelType);
    }

    // The tune step's trials artifact: each trial as its model type with plain hyperparameters.
    const localPath = (uri: string) => join(cloud.dataDir, 'storage', uri.slice('gs://'.length));
    const trialsUri = task(job, TUNING_PIPELINE_TASKS.tune)?.outputs?.trials?.artifacts?.[0]?.uri ?? '';
    const trials = JSON.parse(readFileSync(localPath(trialsUri), 'utf8')) as { trials: { parameters: Record<string, number | string>; model_type: string; hyperparameters: object; early_stopped: boolean }[] };
    expect(trials.trials).toHaveLength(3);
    for (const t of trials.trials) {
      const { modelType, hyperparameters } = splitTrialParameters(t.parameters);
      expect(t).toMatchObject({ model_type: modelType, hyperparameters, early_stopped: false });
      expect(Object.keys(hyperparameters)).toEqual(modelType === 'ridge' ? ['alpha'] : ['n_estimators']);
    }

    const summary = task(job, TUNING_PIPELINE_TASKS.summary);
    expect(summary?.state).toBe('SUCCEEDED');
    const uri = summary?.outputs?.parameter_importance?.artifacts?.[0]?.uri ?? '';
    const importance = JSON.parse(readFileSync(localPath(uri), 'utf8')) as unknown;
    // Three trials are too few to rank parameters: the list is empty (the log says why).
    expect(importance).toEqual({ metric: { id: 'rmse', goal: 'MINIMIZE' }, parameterImportance: [] });
    expect(task(job, TUNING_PIPELINE_TASKS.tune)?.state).toBe('SUCCEEDED');
  }, 120_000);
});
