// HyperparameterTuningJobs through the official Node client: trials as local processes that
// report hypertune metrics, grid search, median and decay-curve stopping, failure limits, Vizier's
// default algorithm (the local Gaussian-process bandit), and the label that says which search ran.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import type { Designer, SuggestInput } from '../../../emulators/vertex/vizier/designer.js';
import { startDesignerProcess } from '../../../emulators/vertex/vizier/designer-process.js';
import { PARENT, callError, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';

type ITuningJob = protos.google.cloud.aiplatform.v1.IHyperparameterTuningJob;

// The real Designer behind a wrapper that records each suggestion's input and can break calls:
// `killOnCall` SIGKILLs the worker at that call (1-based), which fails; `broken` fails every call.
const engine = startDesignerProcess();
const spy = { asked: [] as SuggestInput[], killOnCall: 0, kills: 0, broken: false };
const designer: Designer = {
  suggest: (input) => {
    spy.asked.push(structuredClone(input));
    if (spy.broken) return Promise.reject(new Error('the engine exploded'));
    const answer = engine.suggest(input);
    if (spy.asked.length === spy.killOnCall) {
      // The worker dies with this call: whether the driver had written it yet is a race, so the
      // call fails here as the driver fails the calls of a dead worker; the next call restarts it.
      answer.catch(() => {});
      process.kill(engine.pid!, 'SIGKILL');
      spy.kills++;
      return Promise.reject(new Error(`the worker was killed by SIGKILL during call ${spy.killOnCall}`));
    }
    return answer;
  },
  decayCurveStop: (input) => engine.decayCurveStop(input),
  close: () => engine.close(),
};

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex({}, { designer });
});
beforeEach(() => {
  Object.assign(spy, { asked: [], killOnCall: 0, kills: 0, broken: false });
});
afterAll(async () => {
  await t.stop();
  await engine.close();
});

// A trial: reports `accuracy` for steps 1..5 (lr=3 learns ten times slower, and slowly), rewriting the
// hypertune file each time as the cloudml-hypertune library does, and notes its model dir.
const TRIAL = `
import argparse, json, os, time
p = argparse.ArgumentParser()
p.add_argument('--lr', type=float)
p.add_argument('--optimizer')
p.add_argument('--momentum', type=float, default=None)
a, _ = p.parse_known_args()
os.makedirs('/gcs/hpt/seen', exist_ok=True)
open('/gcs/hpt/seen/trial-' + os.environ['CLOUD_ML_TRIAL_ID'], 'w').write(json.dumps({'argv': os.sys.argv[1:], 'model_dir': os.environ['AIP_MODEL_DIR']}))
lines = []
for step in range(1, 6):
    value = step * (0.1 if a.lr == 3 else a.lr)
    lines.append(json.dumps({'global_step': str(step), 'accuracy': str(value), 'timestamp': time.time(), 'trial': os.environ['CLOUD_ML_TRIAL_ID']}))
    open(os.environ['CLOUD_ML_HP_METRIC_FILE'], 'w').write('\\n'.join(lines) + '\\n')
    time.sleep(2.0 if a.lr == 3 else 0.25)  # the slow learner would take long: stopping it early saves that (wide steps: a busy machine still decides in time)
`;

const trialJobSpec = (code: string) => ({
  workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'python:3.11', command: ['python3', '-c', code] } }],
  baseOutputDirectory: { outputUriPrefix: 'gs://hpt/out' },
});

async function finished(name: string): Promise<ITuningJob> {
  return waitFor(
    async () => (await t.clients.jobs.getHyperparameterTuningJob({ name }))[0],
    (j) => ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'].includes(String(j.state)),
    40_000,
  );
}

describe('hyperparameter tuning', () => {
  it('walks the grid in order and stops a trial that falls below the median', async () => {
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'grid',
        maxTrialCount: 5,
        parallelTrialCount: 1,
        studySpec: {
          metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }],
          parameters: [
            {
              parameterId: 'lr',
              discreteValueSpec: { values: [1, 2, 3] },
              conditionalParameterSpecs: [
                { parentDiscreteValues: { values: [2] }, parameterSpec: { parameterId: 'momentum', discreteValueSpec: { values: [0.5] } } },
              ],
            },
          ],
          algorithm: 'GRID_SEARCH',
          medianAutomatedStoppingSpec: {},
        },
        trialJobSpec: trialJobSpec(TRIAL),
      },
    });
    expect(job.labels?.['local-vertex-algorithm']).toBe('grid-search');
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    const trials = done.trials ?? [];
    // The grid has three points: lr=1, lr=2 (with its conditional momentum), lr=3.
    expect(trials.map((tr) => tr.id)).toEqual(['1', '2', '3']);
    expect(trials.map((tr) => tr.parameters?.map((p) => [p.parameterId, p.value?.numberValue]))).toEqual([
      [['lr', 1]],
      [['lr', 2], ['momentum', 0.5]],
      [['lr', 3]],
    ]);
    expect(trials.map((tr) => tr.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const [first, second, third] = trials;
    expect(first!.measurements).toHaveLength(5);
    expect(first!.finalMeasurement?.stepCount).toBe('5');
    expect(first!.finalMeasurement?.metrics?.[0]).toMatchObject({ metricId: 'accuracy', value: 5 });
    expect(second!.finalMeasurement?.metrics?.[0]?.value).toBe(10);
    // lr=3 reports 0.1 at step 1, below the median (1.5) of the completed trials there: stopped early.
    expect((third!.measurements ?? []).length).toBeLessThan(5);
    expect(third!.finalMeasurement?.metrics?.[0]?.value).toBeLessThan(0.5);
    expect(third!.startTime).toBeTruthy();
    expect(third!.endTime).toBeTruthy();
    const seen = JSON.parse(readFileSync(join(t.storageRoot, 'hpt', 'seen', 'trial-2'), 'utf8')) as { argv: string[]; model_dir: string };
    expect(seen.argv).toEqual(['--lr=2.0', '--momentum=0.5']);
    expect(seen.model_dir).toBe('gs://hpt/out/2/model/');
  });

  it('fails the job once maxFailedTrialCount trials failed', async () => {
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'failing',
        maxTrialCount: 4,
        parallelTrialCount: 2,
        maxFailedTrialCount: 2,
        studySpec: { metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'optimizer', categoricalValueSpec: { values: ['adam', 'sgd'] } }] },
        trialJobSpec: trialJobSpec('import sys; sys.exit(2)'),
      },
    });
    // ALGORITHM_UNSPECIFIED (Vizier's Bayesian search) runs the local GP bandit, and says so.
    expect(job.labels?.['local-vertex-algorithm']).toBe('gaussian-process-bandit');
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_FAILED');
    expect(done.error?.message).toMatch(/max_failed_trial_count \(2\)/);
    expect(done.trials?.filter((tr) => tr.state === 'INFEASIBLE').length).toBeGreaterThanOrEqual(2);
    // The trials that failed say why (a trial still running when the job failed is stopped instead,
    // and which one that is depends on timing).
    expect(done.trials?.filter((tr) => /exited with a non-zero status of 2/.test(tr.infeasibleReason ?? '')).length).toBeGreaterThanOrEqual(2);
  });

  it('runs ALGORITHM_UNSPECIFIED as the GP bandit: the centre first, parallel trials apart', async () => {
    // Trial 2 runs until trial 3 has started, so trial 3 is asked for while trial 2 is pending.
    const quadratic = `
import argparse, json, os, time
p = argparse.ArgumentParser()
p.add_argument('--x', type=float)
p.add_argument('--n', type=int)
a, _ = p.parse_known_args()
trial = os.environ['CLOUD_ML_TRIAL_ID']
os.makedirs('/gcs/hpt-gp', exist_ok=True)
open('/gcs/hpt-gp/started-' + trial, 'w').write('')
deadline = time.time() + 30
while trial == '2' and not os.path.exists('/gcs/hpt-gp/started-3') and time.time() < deadline:
    time.sleep(0.05)
line = {'global_step': '1', 'loss': str((a.x - 1.5) ** 2 + (a.n - 7) ** 2), 'trial': trial}
open(os.environ['CLOUD_ML_HP_METRIC_FILE'], 'w').write(json.dumps(line) + '\\n')
`;
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'gp',
        maxTrialCount: 4,
        parallelTrialCount: 2,
        studySpec: {
          metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }],
          parameters: [
            { parameterId: 'x', doubleValueSpec: { minValue: -4, maxValue: 2 } },
            { parameterId: 'n', integerValueSpec: { minValue: 1, maxValue: 11 } },
          ],
        },
        trialJobSpec: trialJobSpec(quadratic),
      },
    });
    expect(job.labels?.['local-vertex-algorithm']).toBe('gaussian-process-bandit');
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    const points = (done.trials ?? []).map((tr) => tr.parameters?.map((p) => p.value?.numberValue));
    expect(points).toHaveLength(4);
    expect(points[0]).toEqual([-1, 6]); // the centre of [-4, 2] x [1, 11]
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(4);
    // What the engine was asked: first two trials at once; then, trial 1 done and trial 2 still
    // running, one more that knew of both (trial 1 with its loss, trial 2 as pending).
    const params = (i: number) => ({ x: points[i]![0], n: points[i]![1] });
    const [batch, third] = spy.asked;
    expect([batch!.count, batch!.completed, batch!.pending]).toEqual([2, [], []]);
    expect([third!.count, third!.completed, third!.pending]).toEqual([1, [{ parameters: params(0), value: 7.25 }], [{ parameters: params(1) }]]);
    for (const tr of done.trials ?? []) {
      const [x, n] = tr.parameters!.map((p) => p.value!.numberValue!);
      expect(Number.isInteger(n)).toBe(true);
      expect(tr.finalMeasurement?.metrics?.[0]?.value).toBeCloseTo((x! - 1.5) ** 2 + (n! - 7) ** 2);
    }
  });

  it('asks again when the Designer worker dies mid-job, and fails with INTERNAL naming the cause when it cannot suggest', async () => {
    const line = `
import json, os
open(os.environ['CLOUD_ML_HP_METRIC_FILE'], 'w').write(json.dumps({'global_step': '1', 'score': '1'}) + '\\n')
`;
    const spec = (displayName: string): ITuningJob => ({
      displayName,
      maxTrialCount: 3,
      parallelTrialCount: 1,
      studySpec: { metrics: [{ metricId: 'score', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'x', doubleValueSpec: { minValue: 0, maxValue: 1 } }] },
      trialJobSpec: trialJobSpec(line),
    });
    spy.killOnCall = 2; // the suggestion after trial 1
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({ parent: PARENT, hyperparameterTuningJob: spec('killed-worker') });
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    expect(done.trials?.map((tr) => tr.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(spy.kills).toBe(1);
    // The killed call was asked again with the same history (once more, or twice when the retry
    // reached the dying worker before the driver saw it exit), then trial 3 was asked for.
    const lengths = spy.asked.map((a) => a.completed.length);
    expect(lengths[0]).toBe(0);
    expect(lengths.at(-1)).toBe(2);
    expect(lengths.filter((n) => n === 1).length).toBeGreaterThanOrEqual(2);
    expect(lengths.length).toBeLessThanOrEqual(5);

    spy.asked = [];
    spy.broken = true;
    const [doomed] = await t.clients.jobs.createHyperparameterTuningJob({ parent: PARENT, hyperparameterTuningJob: spec('broken-engine') });
    const failed = await finished(doomed.name!);
    expect(failed.state).toBe('JOB_STATE_FAILED');
    expect(failed.error?.code).toBe(13);
    expect(failed.error?.message).toMatch(/^Suggesting trials failed after 3 attempts: the engine exploded/);
    expect(spy.asked).toHaveLength(3);
    expect(failed.trials ?? []).toEqual([]);
  });

  it('ends the job when its trials cannot even run: each a failed trial saying why', async () => {
    const broken = await startTestVertex();
    try {
      // Trial folders go under logs/hyperparameterTuningJobs: a file there makes every trial's mkdir fail.
      mkdirSync(join(broken.dataDir, 'logs'), { recursive: true });
      writeFileSync(join(broken.dataDir, 'logs', 'hyperparameterTuningJobs'), '');
      const [job] = await broken.clients.jobs.createHyperparameterTuningJob({
        parent: PARENT,
        hyperparameterTuningJob: {
          displayName: 'unrunnable',
          maxTrialCount: 2,
          parallelTrialCount: 2,
          studySpec: { metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'k', integerValueSpec: { minValue: 1, maxValue: 2 } }], algorithm: 'GRID_SEARCH' },
          trialJobSpec: trialJobSpec('pass'),
        },
      });
      const done = await waitFor(
        async () => (await broken.clients.jobs.getHyperparameterTuningJob({ name: job.name! }))[0],
        (j) => ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'].includes(String(j.state)),
        20_000,
      );
      expect(done.state).toBe('JOB_STATE_FAILED');
      expect(done.error?.message).toMatch(/All 2 trial\(s\) failed\. Last failure: The trial could not run: .*ENOTDIR/);
      expect(done.trials?.map((tr) => [tr.state, tr.infeasibleReason?.startsWith('The trial could not run: '), Boolean(tr.endTime)])).toEqual([
        ['INFEASIBLE', true, true],
        ['INFEASIBLE', true, true],
      ]);
    } finally {
      await broken.stop();
    }
  });

  it('stops a trial by the decay curve once three trials have completed', async () => {
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'decay',
        maxTrialCount: 4,
        parallelTrialCount: 1,
        studySpec: {
          metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }],
          parameters: [{ parameterId: 'lr', discreteValueSpec: { values: [1, 1.5, 2, 3] } }],
          algorithm: 'GRID_SEARCH',
          decayCurveStoppingSpec: {},
        },
        trialJobSpec: trialJobSpec(TRIAL),
      },
    });
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    const trials = done.trials ?? [];
    expect(trials.map((tr) => tr.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // The first three run to the end (fewer than three completed trials: never stop).
    expect(trials.slice(0, 3).map((tr) => tr.measurements?.length)).toEqual([5, 5, 5]);
    // lr=3 learns ten times slower: its curve predicts a final far below the best (10).
    expect((trials[3]!.measurements ?? []).length).toBeLessThan(5);
  });

  it('rejects grid search over a continuous parameter and a log scale over zero', async () => {
    const base = { displayName: 'bad', maxTrialCount: 2, parallelTrialCount: 1, trialJobSpec: trialJobSpec('pass') };
    const grid = await callError(t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: { ...base, studySpec: { metrics: [{ metricId: 'm', goal: 'MINIMIZE' }], algorithm: 'GRID_SEARCH', parameters: [{ parameterId: 'lr', doubleValueSpec: { minValue: 0.1, maxValue: 1 } }] } },
    }));
    expect(grid.code).toBe(3);
    expect(grid.message).toMatch(/GRID_SEARCH.*"lr" is a double_value_spec/);
    const log = await callError(t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: { ...base, studySpec: { metrics: [{ metricId: 'm', goal: 'MINIMIZE' }], parameters: [{ parameterId: 'lr', scaleType: 'UNIT_LOG_SCALE', doubleValueSpec: { minValue: 0, maxValue: 1 } }] } },
    }));
    expect(log.code).toBe(3);
    expect(log.message).toMatch(/study_spec\.parameters\[0\]\.scale_type UNIT_LOG_SCALE needs a positive range/);
  });
});
