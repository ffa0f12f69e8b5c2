// The tuning step against a fake Vertex endpoint: the HyperparameterTuningJob it creates (checked
// against the protos), polling to a terminal state, and the best trial it reads back.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_SPACE, modelTypeStudyParameters } from '../../pipelines/definitions/search-spaces.js';
import { formatIssue, validateRequest } from '../../vertex/validation/proto-validator.js';
import { makeWorkDir, pythonStack, readJson, readText, runComponent, runPython } from './support.js';

const PROJECT = 'mlops-demo';
const LOCATION = 'us-central1';
const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;
const JOB_NAME = `projects/123456/locations/${LOCATION}/hyperparameterTuningJobs/987`;

const SEARCH_SPACE = [
  { parameterId: 'n_estimators', integerValueSpec: { minValue: '50', maxValue: '400' }, scaleType: 'UNIT_LINEAR_SCALE' },
  { parameterId: 'learning_rate', doubleValueSpec: { minValue: 0.01, maxValue: 0.3 }, scaleType: 'UNIT_LOG_SCALE' },
  { parameterId: 'max_depth', integerValueSpec: { minValue: '2', maxValue: '8' }, scaleType: 'UNIT_LINEAR_SCALE' },
];

const trial = (id: string, state: string, rmse: number | undefined, nEstimators: number, learningRate: number, maxDepth: number) => ({
  id,
  state,
  parameters: [
    { parameterId: 'n_estimators', value: nEstimators },
    { parameterId: 'learning_rate', value: learningRate },
    { parameterId: 'max_depth', value: maxDepth },
  ],
  ...(rmse === undefined ? { infeasibleReason: 'trial exited 1' } : { finalMeasurement: { stepCount: '30', metrics: [{ metricId: 'rmse', value: rmse }] } }),
});

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** A fake regional Vertex endpoint: create answers PENDING, GETs walk through `states`, then the final job. */
class FakeVertex {
  readonly requests: Recorded[] = [];
  private server: Server | undefined;
  private polls = 0;
  states: string[] = [];
  finalJob: Record<string, unknown> = {};
  failFirstPoll = false;
  /** What `GET .../hyperparameterTuningJobs?filter=...` lists (jobs an earlier start of the step created). */
  listed: Record<string, unknown>[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(states: string[], finalJob: Record<string, unknown>, failFirstPoll = false): void {
    this.requests.length = 0;
    this.polls = 0;
    this.states = states;
    this.finalJob = finalJob;
    this.failFirstPoll = failFirstPoll;
    this.listed = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
    const reply = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && req.url?.startsWith(`/v1/${PARENT}/hyperparameterTuningJobs?`)) {
      reply(200, { hyperparameterTuningJobs: this.listed });
    } else if (req.method === 'POST' && req.url === `/v1/${PARENT}/hyperparameterTuningJobs`) {
      reply(200, { ...(body as object), name: JOB_NAME, state: 'JOB_STATE_PENDING' });
    } else if (req.method === 'GET' && req.url === `/v1/${JOB_NAME}`) {
      this.polls += 1;
      if (this.failFirstPoll && this.polls === 1) {
        reply(503, { error: { code: 503, message: 'try again', status: 'UNAVAILABLE' } });
        return;
      }
      const state = this.states[this.polls - (this.failFirstPoll ? 2 : 1)];
      reply(200, state === undefined ? { name: JOB_NAME, ...this.finalJob } : { name: JOB_NAME, state });
    } else {
      reply(404, { error: { code: 404, message: `no route ${String(req.method)} ${String(req.url)}`, status: 'NOT_FOUND' } });
    }
  }
}

// The tuning step needs only the standard library.
const stack = pythonStack('tune component', 'json, urllib.request');

describe.skipIf(!stack.ok)('tune component', () => {
  const work = makeWorkDir('tune');
  const vertex = new FakeVertex();
  let host = '';

  beforeAll(async () => {
    host = await vertex.start();
  });
  afterAll(async () => {
    await vertex.stop();
    work.cleanup();
  });
  afterEach(() => vertex.reset([], {}));

  const args = (out: string, goal = 'MINIMIZE', space: unknown[] = SEARCH_SPACE): string[] => [
    '--project', PROJECT, '--location', LOCATION,
    '--train-data', 'gs://bucket/run/train_data', '--validation-data', 'gs://bucket/run/validation_data',
    '--feature-schema', 'gs://bucket/run/feature_schema', '--target-column', 'delay', '--task-type', 'regression',
    '--model-type', 'gradient_boosting', '--study-spec-parameters', JSON.stringify(space),
    '--metric-id', 'rmse', '--metric-goal', goal, '--algorithm', 'RANDOM_SEARCH',
    '--max-trial-count', '3', '--parallel-trial-count', '2', '--max-failed-trial-count', '1',
    '--trial-machine-type', 'n1-standard-4', '--trial-image', 'us-docker.pkg.dev/p/r/mlops-components:0.1.0',
    '--base-output-directory', 'gs://bucket/root/tuning/task-1',
    '--best-hyperparameters', join(out, 'best_hyperparameters'), '--best-metric-value', join(out, 'best_metric_value'),
    '--trials', join(out, 'trials.json'), '--gcp-resources', join(out, 'gcp_resources'),
    '--poll-interval-seconds', '0.05', '--display-name', 'tune-test',
  ];

  it('creates a valid HyperparameterTuningJob, polls it to the end and returns the best trial', async () => {
    vertex.reset(['JOB_STATE_RUNNING', 'JOB_STATE_RUNNING'], {
      state: 'JOB_STATE_SUCCEEDED',
      trials: [trial('1', 'SUCCEEDED', 12.5, 120, 0.1, 3), trial('2', 'INFEASIBLE', undefined, 50, 0.3, 8), trial('3', 'SUCCEEDED', 9.25, 256.0, 0.05, 7.0)],
    }, true);
    const out = join(work.dir, 'succeeded');
    const result = await runComponent('tune', args(out), { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);

    const [create, ...polls] = vertex.requests;
    expect(create?.method).toBe('POST');
    expect(create?.authorization).toBe('Bearer local-emulator-token');
    const issues = validateRequest('CreateHyperparameterTuningJobRequest', { parent: PARENT, hyperparameterTuningJob: create?.body })
      .filter((i) => i.severity === 'error');
    expect(issues.map(formatIssue)).toEqual([]);
    expect(create?.body).toMatchObject({
      displayName: 'tune-test',
      maxTrialCount: 3,
      parallelTrialCount: 2,
      maxFailedTrialCount: 1,
      studySpec: {
        metrics: [{ metricId: 'rmse', goal: 'MINIMIZE' }],
        parameters: SEARCH_SPACE,
        algorithm: 'RANDOM_SEARCH',
        measurementSelectionType: 'LAST_MEASUREMENT',
        medianAutomatedStoppingSpec: { useElapsedDuration: false },
      },
      trialJobSpec: {
        workerPoolSpecs: [{
          machineSpec: { machineType: 'n1-standard-4' },
          containerSpec: {
            imageUri: 'us-docker.pkg.dev/p/r/mlops-components:0.1.0',
            command: ['python3', '-m', 'mlops_components.steps.train'],
            args: ['--train-data', 'gs://bucket/run/train_data', '--validation-data', 'gs://bucket/run/validation_data',
              '--feature-schema', 'gs://bucket/run/feature_schema', '--target-column', 'delay', '--task-type', 'regression',
              '--model-type', 'gradient_boosting', '--hypertune-metric', 'rmse', '--random-seed', '42'],
          },
        }],
        baseOutputDirectory: { outputUriPrefix: 'gs://bucket/root/tuning/task-1' },
      },
    });
    // Without a service account the trials run as Vertex's service agent: the field is unset.
    expect((create?.body as { trialJobSpec: Record<string, unknown> }).trialJobSpec).not.toHaveProperty('serviceAccount');
    // One 503 (retried), two RUNNING, then the terminal state.
    expect(polls.map((p) => p.method)).toEqual(['GET', 'GET', 'GET', 'GET']);

    const best = readJson<Record<string, number>>(join(out, 'best_hyperparameters'));
    expect(best).toEqual({ n_estimators: 256, learning_rate: 0.05, max_depth: 7 });
    expect(readText(join(out, 'best_hyperparameters'))).toContain('"n_estimators": 256,');
    expect(Number(readText(join(out, 'best_metric_value')))).toBe(9.25);
    expect(readJson<unknown>(join(out, 'gcp_resources'))).toEqual({
      resources: [{ resourceType: 'HyperparameterTuningJob', resourceUri: `http://${host}/v1/${JOB_NAME}` }],
    });
    const trials = readJson<{ best_trial_id: string; state: string; trials: { id: string; state: string; final_metric: number | null }[] }>(join(out, 'trials.json'));
    expect(trials.best_trial_id).toBe('3');
    expect(trials.state).toBe('JOB_STATE_SUCCEEDED');
    expect(trials.trials.map((t) => [t.id, t.state, t.final_metric])).toEqual([['1', 'SUCCEEDED', 12.5], ['2', 'INFEASIBLE', null], ['3', 'SUCCEEDED', 9.25]]);
  }, 30_000);

  it('fails the step when the job fails, after writing the trials and gcp_resources', async () => {
    vertex.reset([], { state: 'JOB_STATE_FAILED', error: { code: 9, message: 'too many failed trials' }, trials: [trial('1', 'INFEASIBLE', undefined, 50, 0.1, 2)] });
    const out = join(work.dir, 'failed');
    const result = await runComponent('tune', args(out, 'maximize'), { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    expect(result.logs.find((l) => l.severity === 'ERROR')?.message).toMatch(/ended JOB_STATE_FAILED: too many failed trials/);
    expect(readJson<{ best_trial_id: string | null }>(join(out, 'trials.json')).best_trial_id).toBeNull();
    expect(readText(join(out, 'gcp_resources'))).toContain('/hyperparameterTuningJobs/987');
  }, 30_000);

  it('picks the best trial by the goal, and types values by the search space', async () => {
    const script = `
import json
from mlops_components.tuning import best_trial, trial_parameters
trials = ${JSON.stringify([trial('1', 'SUCCEEDED', 0.7, 100, 0.1, 3), trial('2', 'SUCCEEDED', 0.9, 200.0, 0.2, 4.0),
      trial('3', 'SUCCEEDED', 0.9, 300, 0.3, 5), trial('4', 'STOPPING', 0.99, 1, 0.1, 2)])}
space = ${JSON.stringify(SEARCH_SPACE)}
print(json.dumps({goal: trial_parameters(best_trial(trials, "rmse", goal), space) | {"id": best_trial(trials, "rmse", goal)["id"]}
                  for goal in ("MAXIMIZE", "MINIMIZE")}))
`;
    const result = await runPython(['-c', script]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      // Ties go to the earlier trial; unfinished trials never win.
      MAXIMIZE: { id: '2', n_estimators: 200, learning_rate: 0.2, max_depth: 4 },
      MINIMIZE: { id: '1', n_estimators: 100, learning_rate: 0.1, max_depth: 3 },
    });
  }, 20_000);

  it("trains every trial with the pipeline's random seed and runs them as the given service account", async () => {
    vertex.reset([], { state: 'JOB_STATE_SUCCEEDED', trials: [trial('1', 'SUCCEEDED', 3, 60, 0.1, 3)] });
    const out = join(work.dir, 'seeded');
    const sa = 'pipelines@mlops-demo.iam.gserviceaccount.com';
    const result = await runComponent('tune', [...args(out), '--random-seed', '7', '--service-account', sa], { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    const body = vertex.requests.find((r) => r.method === 'POST')?.body as { trialJobSpec: { serviceAccount?: string; workerPoolSpecs: { containerSpec: { args: string[] } }[] } };
    expect(validateRequest('CreateHyperparameterTuningJobRequest', { parent: PARENT, hyperparameterTuningJob: body }).filter((i) => i.severity === 'error').map(formatIssue)).toEqual([]);
    const trialArgs = body.trialJobSpec.workerPoolSpecs[0]!.containerSpec.args;
    expect(trialArgs[trialArgs.indexOf('--random-seed') + 1]).toBe('7');
    expect(trialArgs.filter((a) => a === '--random-seed')).toHaveLength(1);
    expect(body.trialJobSpec.serviceAccount).toBe(sa);
  }, 30_000);

  describe('after a container restart', () => {
    const labels = { tuning_run: 'tr-0042' };
    const listedJob = (state: string, createTime: string, extra: Record<string, unknown> = {}) => ({ name: JOB_NAME, displayName: 'tune-test', labels, state, createTime, ...extra });

    it.each(['JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED'])('waits on the job it created (%s, same labels) instead of creating another', async (state) => {
      vertex.reset([], { state: 'JOB_STATE_SUCCEEDED', trials: [trial('1', 'SUCCEEDED', 3, 60, 0.1, 3)] });
      vertex.listed = [listedJob('JOB_STATE_FAILED', '2026-01-02T00:00:00Z', { name: `${PARENT}/hyperparameterTuningJobs/1` }), listedJob(state, '2026-01-01T00:00:00Z')];
      const out = join(work.dir, `restarted-${state}`);
      const result = await runComponent('tune', [...args(out), '--labels', JSON.stringify(labels)], { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(vertex.requests.filter((r) => r.method === 'POST')).toEqual([]);
      expect(new URL(vertex.requests[0]!.url, 'http://x').searchParams.get('filter')).toBe('labels.tuning_run="tr-0042"');
      expect(readText(join(out, 'gcp_resources'))).toContain('/hyperparameterTuningJobs/987');
      expect(Number(readText(join(out, 'best_metric_value')))).toBe(3);
    }, 30_000);

    it('creates a new job when the one it finds failed, or was another display name it was told', async () => {
      vertex.reset([], { state: 'JOB_STATE_SUCCEEDED', trials: [trial('1', 'SUCCEEDED', 3, 60, 0.1, 3)] });
      vertex.listed = [listedJob('JOB_STATE_CANCELLED', '2026-01-02T00:00:00Z'), listedJob('JOB_STATE_RUNNING', '2026-01-01T00:00:00Z', { displayName: 'tune-other' })];
      const out = join(work.dir, 'restarted-failed');
      const result = await runComponent('tune', [...args(out), '--labels', JSON.stringify(labels)], { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(vertex.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    }, 30_000);
  });

  describe('a study across model types', () => {
    const STUDY = modelTypeStudyParameters({ xgboost: DEFAULT_SEARCH_SPACE.xgboost, ridge: DEFAULT_SEARCH_SPACE.ridge, random_forest: [] });
    const conditionalTrial = (id: string, rmse: number, parameters: Record<string, number | string>, stepCount: string) => ({
      id,
      state: 'SUCCEEDED',
      parameters: Object.entries(parameters).map(([parameterId, value]) => ({ parameterId, value })),
      finalMeasurement: { stepCount, metrics: [{ metricId: 'rmse', value: rmse }] },
    });
    const studyArgs = (out: string, extra: string[]) => [...args(out, 'MINIMIZE', STUDY), ...extra];

    it.each([
      ['median', { medianAutomatedStoppingSpec: { useElapsedDuration: false } }],
      ['decay_curve', { decayCurveStoppingSpec: { useElapsedDuration: false } }],
      ['none', {}],
    ] as const)('creates a valid job with %s early stopping and the labels, and reads each trial as its model type', async (rule, stopping) => {
      vertex.reset([], {
        state: 'JOB_STATE_SUCCEEDED',
        trials: [
          // 600 estimators planned, stopped at 40: early stopped when a rule was on.
          conditionalTrial('1', 11.5, { model_type: 'xgboost', xgboost__n_estimators: 600.0, xgboost__learning_rate: 0.1, xgboost__max_depth: 4.0, xgboost__subsample: 0.9 }, '40'),
          conditionalTrial('2', 10.5, { model_type: 'ridge', ridge__alpha: 0.5 }, '1'),
          conditionalTrial('3', 12.5, { model_type: 'random_forest' }, '1'),
          conditionalTrial('4', 9.5, { model_type: 'xgboost', xgboost__n_estimators: 80.0, xgboost__learning_rate: 0.2, xgboost__max_depth: 3.0, xgboost__subsample: 1 }, '80'),
        ],
      });
      const out = join(work.dir, `study-${rule}`);
      const labels = { tuning_run: 'tr-0042', model: 'flight-delay' };
      const result = await runComponent('tune', studyArgs(out, ['--early-stopping', rule, '--labels', JSON.stringify(labels)]),
        { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
      expect(result.code, result.stderr).toBe(0);

      // With labels, the step first lists the jobs carrying them (none here), then creates one.
      expect(vertex.requests[0]?.method).toBe('GET');
      expect(new URL(vertex.requests[0]!.url, 'http://x').searchParams.get('filter')).toBe('labels.model="flight-delay" AND labels.tuning_run="tr-0042"');
      expect(vertex.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      const body = vertex.requests[1]?.body as { studySpec: Record<string, unknown>; labels: unknown; trialJobSpec: { workerPoolSpecs: { containerSpec: { args: string[] } }[] } };
      const issues = validateRequest('CreateHyperparameterTuningJobRequest', { parent: PARENT, hyperparameterTuningJob: body }).filter((i) => i.severity === 'error');
      expect(issues.map(formatIssue)).toEqual([]);
      expect(body.studySpec.parameters).toEqual(STUDY);
      for (const key of ['medianAutomatedStoppingSpec', 'decayCurveStoppingSpec', 'convexAutomatedStoppingSpec']) {
        expect(body.studySpec[key], key).toEqual((stopping as Record<string, unknown>)[key]);
      }
      expect(body.labels).toEqual(labels);
      // Each trial's --model_type flag chooses its type: no fixed --model-type.
      expect(body.trialJobSpec.workerPoolSpecs[0]!.containerSpec.args).not.toContain('--model-type');

      const trials = readJson<{ best_trial_id: string; trials: { id: string; model_type: string; hyperparameters: Record<string, unknown>; parameters: Record<string, unknown>; early_stopped?: boolean }[] }>(join(out, 'trials.json'));
      expect(trials.best_trial_id).toBe('4');
      const byId = Object.fromEntries(trials.trials.map((t) => [t.id, t]));
      expect(byId['1']).toMatchObject({
        model_type: 'xgboost',
        hyperparameters: { n_estimators: 600, learning_rate: 0.1, max_depth: 4, subsample: 0.9 },
        parameters: { model_type: 'xgboost', xgboost__n_estimators: 600, xgboost__max_depth: 4 },
      });
      expect(readText(join(out, 'trials.json'))).toContain('"n_estimators": 600,');
      expect(byId['2']).toMatchObject({ model_type: 'ridge', hyperparameters: { alpha: 0.5 } });
      expect(byId['3']).toMatchObject({ model_type: 'random_forest', hyperparameters: {} });
      expect(trials.trials.map((t) => t.early_stopped)).toEqual(rule === 'none' ? [false, false, false, false] : [true, false, false, false]);
      // The best trial as the study saw it: model_type and prefixed ids, typed.
      expect(readJson<unknown>(join(out, 'best_hyperparameters'))).toEqual({
        model_type: 'xgboost', xgboost__n_estimators: 80, xgboost__learning_rate: 0.2, xgboost__max_depth: 3, xgboost__subsample: 1,
      });
    }, 30_000);

    it.each([
      [{ Tuning_Run: 'a' }, /labels\.Tuning_Run: a key is 1-63 lowercase/],
      [{ tuning_run: 'A-1' }, /labels\.tuning_run: a value is .*'A-1'/],
      [{ tuning_run: 'x'.repeat(64) }, /labels\.tuning_run: a value is a string of at most 63/],
      [{ ['k'.repeat(64)]: 'v' }, /a key is 1-63/],
      [{ tuning_run: 7 }, /labels\.tuning_run: a value is a string/],
    ])('refuses labels Vertex would refuse (%j) before creating anything', async (labels, message) => {
      const out = join(work.dir, 'bad-labels');
      const result = await runComponent('tune', studyArgs(out, ['--early-stopping', 'median', '--labels', JSON.stringify(labels)]),
        { env: { VERTEX_EMULATOR_HOST: host }, timeoutMs: 30_000 });
      expect(result.code).toBe(1);
      expect(result.logs.find((l) => l.severity === 'ERROR')?.message).toMatch(message);
      expect(vertex.requests).toEqual([]);
    }, 30_000);

    it('types conditional children by their own specs, however deep, and refuses malformed ones by where they sit', async () => {
      const nested = [{
        parameterId: 'model_type', categoricalValueSpec: { values: ['xgboost'] },
        conditionalParameterSpecs: [{
          parentCategoricalValues: { values: ['xgboost'] },
          parameterSpec: {
            parameterId: 'xgboost__booster', categoricalValueSpec: { values: ['gbtree', 'dart'] },
            conditionalParameterSpecs: [{ parentCategoricalValues: { values: ['dart'] }, parameterSpec: { parameterId: 'xgboost__skip_drop', discreteValueSpec: { values: [1, 2, 3] } } }],
          },
        }, {
          parentCategoricalValues: { values: ['xgboost'] },
          parameterSpec: { parameterId: 'xgboost__max_depth', integerValueSpec: { minValue: '2', maxValue: '9' } },
        }],
      }];
      const script = `
import json, sys
from mlops_components.tuning import check_parameters, trial_parameters
specs = json.loads(sys.argv[1])
trial = {"parameters": [{"parameterId": "model_type", "value": "xgboost"}, {"parameterId": "xgboost__booster", "value": "dart"},
                        {"parameterId": "xgboost__skip_drop", "value": 2.0}, {"parameterId": "xgboost__max_depth", "value": 6.0}]}
out = {"typed": trial_parameters(trial, check_parameters(specs)), "errors": []}
duplicate = json.loads(sys.argv[1])
duplicate[0]["conditionalParameterSpecs"][1]["parameterSpec"]["parameterId"] = "xgboost__skip_drop"
orphan = json.loads(sys.argv[1])
del orphan[0]["conditionalParameterSpecs"][0]["parameterSpec"]["conditionalParameterSpecs"][0]["parentCategoricalValues"]
for bad in (duplicate, orphan):
    try:
        check_parameters(bad)
    except ValueError as error:
        out["errors"].append(str(error))
print(json.dumps(out))
`;
      const result = await runPython(['-c', script, JSON.stringify(nested)]);
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as { typed: Record<string, unknown>; errors: string[] };
      expect(out.typed).toEqual({ model_type: 'xgboost', xgboost__booster: 'dart', xgboost__skip_drop: 2, xgboost__max_depth: 6 });
      // Ints, not doubles, for the integer and integral discrete children.
      expect(result.stdout).toContain('"xgboost__max_depth": 6}');
      expect(result.stdout).toContain('"xgboost__skip_drop": 2,');
      expect(out.errors).toEqual([
        "study_spec_parameters[0].conditionalParameterSpecs[1].parameterSpec: duplicate parameterId 'xgboost__skip_drop'",
        'study_spec_parameters[0].conditionalParameterSpecs[0].parameterSpec.conditionalParameterSpecs[0] needs exactly one of parentCategoricalValues, parentDiscreteValues, parentIntValues',
      ]);
    }, 20_000);
  });
});
