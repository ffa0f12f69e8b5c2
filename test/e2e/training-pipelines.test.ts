// The project's pipelines on the local cloud, end to end, through the official clients: a
// BigQuery snapshot, the real Python components, Vertex's pipeline engine, (for the tuning
// variant) a HyperparameterTuningJob submitted from inside the pipeline, the comparison with a
// champion from an earlier run, and the exit handler's completion event on Pub/Sub.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { readChampionComparison, readGateDecision, readTrainingArtifacts } from '../../vertex/shared/gate-decision.js';
import { projectPipelineJobRequest } from '../../vertex/requests/project-pipeline-job.js';
import { trainingPipeline, trainingPipelineWithTuning } from '../../pipelines/definitions/training-pipeline.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../emulators/launcher/seed.js';
import { bigQueryClient, pubSubClient, storageClient, vertexClients } from '../../google-clients/index.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import { estimateRunCost } from '../../control-plane/governance/training-governance.js';
import type { ControlPlaneContext } from '../../control-plane/runtime/context.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import type { TestCloud } from '../support/local-cloud.js';
import { startTestCloud } from '../support/local-cloud.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skipReason = python.status === 0 ? undefined : `/usr/bin/python3 lacks sklearn/pandas/xgboost: ${python.stderr.trim().split('\n').at(-1) ?? ''}`;
if (skipReason) console.warn(`end-to-end pipeline tests skipped: ${skipReason}`);

const LOCATION = 'us-central1';
const MODEL = 'flight-delay';

interface RunEvent {
  readonly data: { pipelineJob: string; state: string; model: string; requestId: string };
  readonly attributes: Record<string, string>;
}

describe.skipIf(skipReason !== undefined)('training pipelines on the local cloud', () => {
  let cloud: TestCloud;
  let vertex: ReturnType<typeof vertexClients>;
  let snapshotUri: string;
  const bucket = 'local-project-pipelines';
  // The exit handler's completion events, pulled from a subscription of their topic (Pub/Sub is optional locally).
  let pubsub: ReturnType<typeof pubSubClient> | undefined;
  let subscription: Subscription | undefined;
  const events: RunEvent[] = [];
  let eventsTopic = '';

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true, pubsub: true });
    const ce = { projectId: cloud.projectId, env: cloud.env };
    vertex = vertexClients(LOCATION, ce);
    if (cloud.pubsubUnavailable) {
      console.warn(`completion events not checked: ${cloud.pubsubUnavailable}`);
    } else {
      pubsub = pubSubClient(ce);
      [subscription] = await pubsub.topic('pipeline-run-events').createSubscription('e2e-run-events');
      subscription.on('message', (message: Message) => {
        message.ack();
        events.push({ data: JSON.parse(message.data.toString('utf8')) as RunEvent['data'], attributes: message.attributes });
      });
      eventsTopic = `projects/${cloud.projectId}/topics/pipeline-run-events`;
    }
    await storageClient(ce).createBucket(bucket);
    const [job] = await bigQueryClient(ce).createQueryJob({
      query: `EXPORT DATA OPTIONS(uri='gs://${bucket}/snapshot/part-*.csv', format='CSV', header=true) AS SELECT * FROM \`${cloud.projectId}.${SAMPLES_DATASET}.${FIXTURE_TABLE}\``,
    });
    await job.getQueryResults();
    snapshotUri = `gs://${bucket}/snapshot/part-000000000000.csv`;
  }, 60_000);

  afterAll(async () => {
    await subscription?.close();
    await pubsub?.close();
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
  /** What the run event should carry, for a run submitted with `announce(runKey)`. */
  const announce = (requestId: string) => ({ events_topic: eventsTopic, model_name: MODEL, request_id: requestId });

  /** The completion event of `job`, once it arrives; undefined when Pub/Sub is not running here. */
  async function runEvent(job: IPipelineJob): Promise<RunEvent | undefined> {
    if (!eventsTopic) return undefined;
    for (let waited = 0; waited < 20_000; waited += 200) {
      const found = events.filter((e) => e.data.pipelineJob === job.name);
      if (found.length > 0) {
        expect(found).toHaveLength(1);
        return found[0];
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no completion event for ${job.name ?? '?'} within 20 s`);
  }

  // The first run's export, the champion of the comparison run.
  let championUri = '';
  let championRmse = Number.NaN;

  it('trains, evaluates, gates and exports a model a prebuilt sklearn server can load, and announces the run', async () => {
    const job = await run(trainingPipeline(), 'e2e-rf', {
      training_data_uri: snapshotUri,
      target_column: 'delay',
      model_type: 'random_forest',
      hyperparameters: { n_estimators: 20, max_depth: 6 },
      thresholds: { rmse: { max: 1000 } },
      ...announce('request-rf'),
    });
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    expect(String(task(job, 'gate-model')?.execution?.metadata?.fields?.['output:approved']?.boolValue)).toBe('true');
    const decision = readGateDecision(job);
    expect(decision?.decision).toBe('approved');
    expect(decision?.reason).toMatch(/^approved: rmse \d+(\.\d+)? \(<= 1000\)$/);
    const serving = task(job, 'export-serving-artifact')?.outputs?.serving_model?.artifacts?.[0]?.uri;
    expect(serving).toMatch(/^gs:\/\/local-project-pipelines\/root\//);
    for (const file of ['model.joblib', 'input_schema.json', 'baseline_statistics.json']) expect(existsSync(join(localPath(serving!), file))).toBe(true);

    const artifacts = readTrainingArtifacts(job)!;
    expect(artifacts.servingModelUri).toBe(serving);
    const evaluation = JSON.parse(readFileSync(localPath(artifacts.evaluationUri), 'utf8')) as { metrics: { rmse: number } };
    const comparison = readChampionComparison(job);
    expect(comparison).toMatchObject({ verdict: 'no_champion', metric: 'rmse', champion: null, championModelUri: '' });
    expect(comparison?.challenger).toBeCloseTo(evaluation.metrics.rmse, 9);
    championUri = serving!;
    championRmse = evaluation.metrics.rmse;

    expect(task(job, 'publish-run-event')?.state).toBe('SUCCEEDED');
    const event = await runEvent(job);
    if (event) {
      expect(event.data).toEqual({ pipelineJob: job.name, state: 'SUCCEEDED', model: MODEL, requestId: 'request-rf' });
      expect(event.attributes).toEqual({ model: MODEL, requestId: 'request-rf', state: 'SUCCEEDED' });
    }
  }, 120_000);

  it('a second run compares its challenger with that champion on the same test rows: a paired interval and a verdict', async () => {
    expect(championUri, 'the first run exported the champion').not.toBe('');
    const job = await run(trainingPipeline(), 'e2e-challenger', {
      training_data_uri: snapshotUri,
      target_column: 'delay',
      model_type: 'xgboost',
      hyperparameters: { n_estimators: 30, max_depth: 3 },
      thresholds: { rmse: { max: 1000 } },
      champion_model_uri: championUri,
      comparison_metric: 'rootMeanSquaredError',
      bootstrap_samples: 500,
      ...announce('request-xgb'),
    });
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    const comparison = readChampionComparison(job)!;
    expect(comparison).toMatchObject({ metric: 'rootMeanSquaredError', direction: 'lower', championModelUri: championUri, bootstrapSamples: 500, confidence: 0.95 });
    expect(['better', 'not_better']).toContain(comparison.verdict);
    // Same snapshot, same seed: the same test split, on which the champion scores what its own run measured.
    expect(comparison.champion).toBeCloseTo(championRmse, 9);
    expect(comparison.difference).toBeCloseTo(comparison.challenger! - comparison.champion!, 12);
    expect(comparison.ciLow!).toBeLessThanOrEqual(comparison.difference!);
    expect(comparison.ciHigh!).toBeGreaterThanOrEqual(comparison.difference!);
    expect(comparison.verdict === 'better').toBe(comparison.ciHigh! < 0);
    expect(comparison.reason).toMatch(comparison.verdict === 'better' ? /^better: / : /^not better: /);
    expect(String(task(job, 'compare-with-champion')?.execution?.metadata?.fields?.['output:verdict']?.stringValue)).toBe(comparison.verdict);
    expect((await runEvent(job))?.data.requestId ?? 'request-xgb').toBe('request-xgb');
  }, 180_000);

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
      ...announce('request-invalid'),
    });
    expect(job.state).toBe('PIPELINE_STATE_FAILED');
    // The exit task runs whatever happened, and says how the run ended.
    expect(task(job, 'publish-run-event')?.state).toBe('SUCCEEDED');
    const event = await runEvent(job);
    if (event) expect(event.data).toEqual({ pipelineJob: job.name, state: 'FAILED', model: MODEL, requestId: 'request-invalid' });
    // The failed task at the root is the exit handler's group; the leaf that failed is named after it.
    expect(job.error?.message).toMatch(/The failed tasks are: \[exit-handler-1\]\.; validate-data: /);
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
    // The cost estimate prices the trials, which ran outside the PipelineJob, from the job the tune task's gcp_resources names.
    const estimate = await estimateRunCost({ clients: { jobs: () => Promise.resolve(vertex.jobs) } } as unknown as ControlPlaneContext, job);
    expect(estimate.unpriced).toEqual([]);
    const trials = estimate.items.find((i) => i.task === 'tune-hyperparameters (trials)');
    expect(trials?.note).toContain(`2 trials of ${tuningJobs[0]!.name!}`);
    expect(trials?.machineType).toBe('n1-standard-4');
  }, 180_000);
});
