// The emulator's pure parts: wire JSON ↔ proto objects, list filters and pages, grid and random
// search, hypertune parsing, median stopping and the traffic rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoogleApiError } from '../../../emulators/kit/google-error.js';
import { parseFilter } from '../../../emulators/vertex/api/filter.js';
import { listPage } from '../../../emulators/vertex/api/list.js';
import { bindQuery } from '../../../emulators/vertex/api/query.js';
import { assertValidWireRequest, snakePath } from '../../../emulators/vertex/api/request-validation.js';
import { toCanonicalJson, toProtoObject } from '../../../emulators/vertex/api/wire-json.js';
import { splitAfterDeploy, splitAfterUndeploy } from '../../../emulators/vertex/endpoints/traffic.js';
import { readMeasurements } from '../../../emulators/vertex/hyperparameter-tuning-jobs/hypertune-file.js';
import type { Measurement } from '../../../emulators/vertex/hyperparameter-tuning-jobs/hypertune-file.js';
import { shouldStopEarly } from '../../../emulators/vertex/hyperparameter-tuning-jobs/median-stopping.js';
import { parseStudySpec } from '../../../emulators/vertex/hyperparameter-tuning-jobs/study-spec.js';
import { formatArg, gridSearch, randomSearch } from '../../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';
import type { Assignment } from '../../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';

function apiError(fn: () => unknown): GoogleApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GoogleApiError) return err;
    throw err;
  }
  throw new Error('expected a GoogleApiError');
}

describe('wire JSON', () => {
  it('turns proto3 JSON into the object form the validator checks', () => {
    const { value, issues } = toProtoObject('CustomJob', {
      display_name: 'x',
      jobSpec: { scheduling: { timeout: '1.5s' }, workerPoolSpecs: [] },
      webAccessUris: {},
      createTime: '2024-05-01T12:00:00.5Z',
    });
    expect(issues).toEqual([]);
    expect(value).toEqual({ displayName: 'x', jobSpec: { scheduling: { timeout: { seconds: 1, nanos: 500_000_000 } } }, createTime: { seconds: 1714564800, nanos: 500_000_000 } });
    const struct = toProtoObject('PipelineJob', { pipelineSpec: { a: [1, 'b', null] } }).value as { pipelineSpec: unknown };
    expect(struct.pipelineSpec).toEqual({ fields: { a: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'b' }, { nullValue: 'NULL_VALUE' }] } } } });
    expect(toProtoObject('CustomJob', { jobSpec: { scheduling: { timeout: '30m' } } }).issues[0]?.path).toBe('jobSpec.scheduling.timeout');
  });

  it('stores enums by name and int64 as strings', () => {
    expect(toCanonicalJson('WorkerPoolSpec', { machineSpec: { acceleratorType: 5, acceleratorCount: 1 }, replicaCount: 2 })).toEqual({
      machineSpec: { acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 },
      replicaCount: '2',
    });
  });

  it('reports every bad field with snake_case paths', () => {
    const error = apiError(() => assertValidWireRequest('CreateCustomJobRequest', { parent: 'projects/p/locations/l', customJob: { jobSpec: { workerPoolSpecs: [{ replicaCount: 'two' }] } } }));
    expect(error.code).toBe(400);
    expect(error.message).toMatch(/^List of found errors:\t1\.Field: /);
    expect(error.message).toContain('custom_job.display_name; Message: Required field is not set.');
    expect(error.message).toContain('custom_job.job_spec.worker_pool_specs[0].replica_count');
    expect(snakePath('customJob.labels["myKey"].fooBar')).toBe('custom_job.labels["myKey"].foo_bar');
  });

  it('binds query parameters and ignores system ones', () => {
    expect(bindQuery(new URLSearchParams('page_size=5&alt=json&$alt=json;enum-encoding=int&readMask=displayName,jobSpec.scheduling'), { pageSize: 'int32', readMask: 'fieldMask' })).toEqual({
      pageSize: 5,
      readMask: ['display_name', 'job_spec.scheduling'],
    });
    expect(apiError(() => bindQuery(new URLSearchParams('pageSize=x'), { pageSize: 'int32' })).message).toMatch(/TYPE_INT32/);
    expect(apiError(() => bindQuery(new URLSearchParams('colour=red'), {})).message).toMatch(/Unknown name "colour": Cannot bind query parameter/);
  });
});

describe('list filters and pages', () => {
  const jobs = [
    { name: 'a', displayName: 'train', state: 'JOB_STATE_SUCCEEDED', labels: { team: 'ml' }, createTime: '2024-01-02T00:00:00Z' },
    { name: 'b', displayName: 'eval', state: 'JOB_STATE_FAILED', labels: {}, createTime: '2024-01-03T00:00:00Z' },
    { name: 'c', displayName: 'train', state: 'JOB_STATE_FAILED', labels: { team: 'ops' }, createTime: '2024-01-01T00:00:00Z' },
  ];
  const names = (filter: string) => jobs.filter(parseFilter(filter)).map((j) => j.name);

  it('filters on fields, labels and times with AND, OR, NOT', () => {
    expect(names('display_name="train" AND state=JOB_STATE_FAILED')).toEqual(['c']);
    expect(names('labels.team:* AND NOT labels.team="ops"')).toEqual(['a']);
    expect(names('create_time>"2024-01-01T12:00:00Z"')).toEqual(['a', 'b']);
    expect(names('(displayName="eval" OR labels.team=ml)')).toEqual(['a', 'b']);
    expect(() => parseFilter('display_name=')).toThrow(/Invalid filter/);
  });

  it('pages newest first with tokens bound to the query', () => {
    const first = listPage(jobs, { pageSize: 2 }, 'customJobs');
    expect((first.customJobs as { name: string }[]).map((j) => j.name)).toEqual(['b', 'a']);
    const second = listPage(jobs, { pageSize: 2, pageToken: String(first.nextPageToken) }, 'customJobs');
    expect((second.customJobs as { name: string }[]).map((j) => j.name)).toEqual(['c']);
    expect(second.nextPageToken).toBeUndefined();
    expect(() => listPage(jobs, { pageSize: 2, pageToken: String(first.nextPageToken), filter: 'state=X' }, 'customJobs')).toThrow(/page_token/);
    expect(listPage(jobs, { orderBy: 'display_name, create_time desc', readMask: ['display_name'] }, 'customJobs').customJobs).toEqual([
      { name: 'b', displayName: 'eval' },
      { name: 'a', displayName: 'train' },
      { name: 'c', displayName: 'train' },
    ]);
  });
});

describe('search', () => {
  const study = parseStudySpec(
    {
      metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }],
      parameters: [
        {
          parameterId: 'model',
          categoricalValueSpec: { values: ['linear', 'tree'] },
          conditionalParameterSpecs: [{ parentCategoricalValues: { values: ['tree'] }, parameterSpec: { parameterId: 'depth', integerValueSpec: { minValue: '2', maxValue: '3' } } }],
        },
        { parameterId: 'batch', discreteValueSpec: { values: [32, 64] } },
      ],
      algorithm: 'GRID_SEARCH',
    },
    'study_spec',
  );

  it('enumerates the grid in order, conditional parameters only under their parent values', () => {
    const grid = [...gridSearch(study.parameters)].map((a) => a.map(formatArg).join(' '));
    expect(grid).toEqual([
      '--model=linear --batch=32.0',
      '--model=linear --batch=64.0',
      '--model=tree --depth=2 --batch=32.0',
      '--model=tree --depth=2 --batch=64.0',
      '--model=tree --depth=3 --batch=32.0',
      '--model=tree --depth=3 --batch=64.0',
    ]);
  });

  it('samples reproducibly within range and scale', () => {
    const spec = parseStudySpec({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'lr', scaleType: 'UNIT_LOG_SCALE', doubleValueSpec: { minValue: 1e-4, maxValue: 1e-1 } }, { parameterId: 'n', integerValueSpec: { minValue: '1', maxValue: '4' } }] }, 's');
    expect(spec.algorithm).toBe('GAUSSIAN_PROCESS_BANDIT');
    expect(spec.requestedAlgorithm).toBe('ALGORITHM_UNSPECIFIED');
    const take = (seed: string): Assignment[][] => {
      const it = randomSearch(spec.parameters, seed);
      return Array.from({ length: 200 }, () => it.next().value as Assignment[]);
    };
    const a = take('job-1');
    expect(take('job-1')).toEqual(a);
    const lrs = a.map((x) => x[0]!.value as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // Log scale: about a third of the samples per decade.
    expect(lrs.filter((v) => v < 1e-3).length).toBeGreaterThan(40);
    expect(new Set(a.map((x) => x[1]!.value))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('rejects conditions that do not match the parent type', () => {
    expect(() =>
      parseStudySpec({ metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'k', integerValueSpec: { minValue: '1', maxValue: '2' }, conditionalParameterSpecs: [{ parentCategoricalValues: { values: ['a'] }, parameterSpec: { parameterId: 'x', discreteValueSpec: { values: [1] } } }] }] }, 's'),
    ).toThrow(/parent_int_values/);
  });
});

describe('hypertune metrics and median stopping', () => {
  it('reads every reported line as a measurement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypertune-'));
    try {
      const file = join(dir, 'output.metrics');
      writeFileSync(file, '{"global_step": "10", "acc": "0.5", "timestamp": 1000.5, "trial": "1"}\n{"global_step": "20", "acc": "0.75", "timestamp": 1002, "trial": "1"}\n{"broken\n');
      expect(await readMeasurements(file, 'acc', 1000_000)).toEqual([
        { stepCount: '10', metrics: [{ metricId: 'acc', value: 0.5 }], elapsedDuration: '0.500s' },
        { stepCount: '20', metrics: [{ metricId: 'acc', value: 0.75 }], elapsedDuration: '2.000s' },
      ]);
      expect(await readMeasurements(join(dir, 'missing'), 'acc', 0)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const series = (...values: number[]): Measurement[] => values.map((value, i) => ({ stepCount: String(i + 1), metrics: [{ metricId: 'm', value }] }));

  it('stops a trial worse than the median of completed trials at the same step', () => {
    const completed = [series(1, 2, 3), series(2, 3, 4), series(0.5, 1, 1.5)];
    expect(shouldStopEarly(series(0.2), completed, 'MAXIMIZE')).toMatchObject({ stop: true, step: 1, median: 1 });
    expect(shouldStopEarly(series(1.5), completed, 'MAXIMIZE').stop).toBe(false);
    expect(shouldStopEarly(series(1.5), completed, 'MINIMIZE').stop).toBe(true);
    expect(shouldStopEarly(series(0.2), [], 'MAXIMIZE').stop).toBe(false);
  });
});

describe('traffic rules', () => {
  it('gives the first model everything and later ones nothing unless asked', () => {
    expect(splitAfterDeploy({}, {}, '1', 0)).toEqual({ '1': 100 });
    expect(splitAfterDeploy({ '1': 100 }, {}, '2', 1)).toEqual({ '1': 100 });
    expect(splitAfterDeploy({ '1': 100 }, { '0': 30, '1': 70 }, '2', 1)).toEqual({ '2': 30, '1': 70 });
  });

  it('refuses to undeploy a model with traffic unless the split moves it or it is the last', () => {
    expect(() => splitAfterUndeploy({ '1': 50, '2': 50 }, {}, '1', new Set(['2']), 'e')).toThrow(/carries 50%/);
    expect(splitAfterUndeploy({ '1': 50, '2': 50 }, { '2': 100 }, '1', new Set(['2']), 'e')).toEqual({ '2': 100 });
    expect(splitAfterUndeploy({ '1': 100 }, {}, '1', new Set(), 'e')).toEqual({});
    expect(splitAfterUndeploy({ '1': 100, '2': 0 }, {}, '2', new Set(['1']), 'e')).toEqual({ '1': 100 });
    expect(() => splitAfterUndeploy({ '1': 50, '2': 50 }, { '2': 90 }, '1', new Set(['2']), 'e')).toThrow(/add up to 100, got 90/);
  });
});
