// The tuning step against a fake Vertex endpoint: the HyperparameterTuningJob it creates (checked
// against the protos), polling to a terminal state, and the best trial it reads back.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
    if (req.method === 'POST' && req.url === `/v1/${PARENT}/hyperparameterTuningJobs`) {
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

  const args = (out: string, goal = 'MINIMIZE'): string[] => [
    '--project', PROJECT, '--location', LOCATION,
    '--train-data', 'gs://bucket/run/train_data', '--validation-data', 'gs://bucket/run/validation_data',
    '--feature-schema', 'gs://bucket/run/feature_schema', '--target-column', 'delay', '--task-type', 'regression',
    '--model-type', 'gradient_boosting', '--study-spec-parameters', JSON.stringify(SEARCH_SPACE),
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
              '--model-type', 'gradient_boosting', '--hypertune-metric', 'rmse'],
          },
        }],
        baseOutputDirectory: { outputUriPrefix: 'gs://bucket/root/tuning/task-1' },
      },
    });
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
});
