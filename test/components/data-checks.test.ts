// validate_data on bad snapshots, preprocess_split's strategies and inputs, and the gate's rules —
// the decisions that keep a bad dataset or a bad model out of production.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flights, writeClassificationCsv, writeRegressionCsv } from './fixtures.js';
import { makeWorkDir, pythonStack, readJson, readText, runComponent, runOk } from './support.js';

interface Statistics {
  row_count: number;
  passed: boolean;
  failures: string[];
  checks: { name: string; passed: boolean; detail: string }[];
}

const stack = pythonStack('data checks and gate');

describe.skipIf(!stack.ok)('data checks and gate', () => {
  const work = makeWorkDir('checks');
  const path = (...parts: string[]): string => join(work.dir, ...parts);

  beforeAll(() => {
    writeRegressionCsv(path('flights.csv'), flights(300));
    writeClassificationCsv(path('status.csv'), flights(300, 11));
  });
  afterAll(() => work.cleanup());

  async function validate(dataset: string, name: string, extra: { target?: string; ranges?: object; minRows?: number } = {}) {
    const out = path(name);
    const result = await runComponent('validate_data', [
      '--dataset', dataset, '--target-column', extra.target ?? 'delay', '--min-row-count', String(extra.minRows ?? 100),
      '--max-null-fraction', '0.2', '--column-ranges', JSON.stringify(extra.ranges ?? {}),
      '--report', join(out, 'report.md'), '--statistics', join(out, 'statistics.json'), '--passed', join(out, 'passed'),
    ]);
    return { code: result.code, passed: readText(join(out, 'passed')), statistics: readJson<Statistics>(join(out, 'statistics.json')),
      report: readText(join(out, 'report.md')), errors: result.logs.filter((l) => l.severity === 'ERROR').map((l) => l.message) };
  }

  it('validate_data fails the task on a bad snapshot, after writing its report, and its error lists every reason', async () => {
    // 60 rows, half the distances missing, one distance out of range.
    const rows = flights(60).map((r, i) => ({ ...r, distance: i % 2 === 0 ? Number.NaN : i === 1 ? 99_999 : r.distance }));
    const lines = ['date,delay,distance,origin,destination',
      ...rows.map((r) => `${r.date},${r.delay},${Number.isNaN(r.distance) ? '' : r.distance},${r.origin},${r.destination}`)];
    writeFileSync(path('bad.csv'), `${lines.join('\n')}\n`);

    const result = await validate(path('bad.csv'), 'bad', { target: 'arrival_delay', ranges: { distance: { min: 0, max: 5000 }, speed: { max: 1 } } });
    expect(result.code).toBe(1);
    expect(result.passed).toBe('false');
    // One ERROR line, the last: what the pipeline engine reports as the run's error.
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^validate_data failed: the dataset failed validation: row_count: 60 rows \(minimum 100\); target_present: .*; range:speed: /);
    const failed = result.statistics.checks.filter((c) => !c.passed).map((c) => c.name).sort();
    expect(failed).toEqual(['nulls:distance', 'range:distance', 'range:speed', 'row_count', 'target_present']);
    expect(result.statistics.failures.join('\n')).toMatch(/row_count: 60 rows \(minimum 100\)/);
    expect(result.statistics.failures.join('\n')).toMatch(/range:distance: 1 values outside \[0, 5000\]/);
    expect(result.statistics.failures.join('\n')).toMatch(/range:speed: column 'speed' is not in the dataset/);
    expect(result.report).toContain('**FAILED**');
    expect(result.report).toContain('`target_present`');
  }, 30_000);

  it('validate_data fails, with a report rather than a traceback, on a snapshot that cannot be read', async () => {
    const result = await validate(path('does-not-exist.csv'), 'missing');
    expect(result.code).toBe(1);
    expect(result.passed).toBe('false');
    expect(result.errors[0]).toMatch(/failed validation: readable: could not read the dataset/);
    expect(result.statistics.failures[0]).toMatch(/^readable: could not read the dataset: .*does not exist/);
  }, 30_000);

  it('preprocess_split: the time split tests on the latest rows; unlabelled rows are dropped', async () => {
    const rows = flights(200, 3);
    const lines = ['date,delay,distance,origin,destination',
      ...rows.map((r, i) => `${r.date},${i < 10 ? '' : r.delay},${r.distance},${r.origin},${r.destination}`)];
    writeFileSync(path('unlabelled.csv'), `${lines.join('\n')}\n`);
    const out = path('time-split');
    await runOk('preprocess_split', [
      '--dataset', path('unlabelled.csv'), '--target-column', 'delay', '--split-strategy', 'time', '--time-column', 'date',
      '--validation-fraction', '0.2', '--test-fraction', '0.2', '--random-seed', '1',
      '--train-data', join(out, 'train.csv'), '--validation-data', join(out, 'validation.csv'), '--test-data', join(out, 'test.csv'),
      '--feature-schema', join(out, 'schema.json'),
    ]);
    const dates = (file: string): string[] => readText(join(out, file)).trim().split('\n').slice(1).map((line) => line.split(',')[0] ?? '');
    const [train, validation, test] = [dates('train.csv'), dates('validation.csv'), dates('test.csv')];
    expect(train.length + validation.length + test.length).toBe(190);
    expect(test).toHaveLength(38);
    const latest = (values: string[]): string => [...values].sort().at(-1) ?? '';
    const earliest = (values: string[]): string => [...values].sort()[0] ?? '';
    expect(latest(train) <= earliest(validation)).toBe(true);
    expect(latest(validation) <= earliest(test)).toBe(true);
    const schema = readJson<{ split: { strategy: string; dropped_unlabelled_rows: number } }>(join(out, 'schema.json'));
    expect(schema.split).toMatchObject({ strategy: 'time', dropped_unlabelled_rows: 10 });
  }, 30_000);

  it('preprocess_split: the stratified split keeps the class balance; NDJSON input works', async () => {
    const csv = readText(path('status.csv')).trim().split('\n');
    const header = (csv[0] ?? '').split(',');
    const ndjson = csv.slice(1).map((line) => JSON.stringify(Object.fromEntries(line.split(',').map((v, i) => [header[i], v])))).join('\n');
    writeFileSync(path('status.ndjson'), `${ndjson}\n`);
    const out = path('stratified');
    await runOk('preprocess_split', [
      '--dataset', path('status.ndjson'), '--target-column', 'status', '--split-strategy', 'stratified', '--time-column', '',
      '--validation-fraction', '0.2', '--test-fraction', '0.2', '--random-seed', '5',
      '--train-data', join(out, 'train.csv'), '--validation-data', join(out, 'validation.csv'), '--test-data', join(out, 'test.csv'),
      '--feature-schema', join(out, 'schema.json'),
    ]);
    const lateShare = (file: string): number => {
      const rows = readText(join(out, file)).trim().split('\n').slice(1);
      return rows.filter((line) => line.split(',')[4] === 'late').length / rows.length;
    };
    const overall = lateShare('train.csv');
    expect(Math.abs(lateShare('test.csv') - overall)).toBeLessThan(0.05);
    expect(Math.abs(lateShare('validation.csv') - overall)).toBeLessThan(0.05);
    const schema = readJson<{ categorical_features: string[]; numeric_features: string[] }>(join(out, 'schema.json'));
    expect(schema.categorical_features).toEqual(['origin', 'destination']);
    expect(schema.numeric_features).toContain('date_hour');
  }, 30_000);

  describe('gate', () => {
    const evaluation = {
      task_type: 'regression', model_type: 'ridge', row_count: 45,
      metrics: { rmse: 5.2, r2: 0.91, mape: null },
      vertex_model_evaluation: { metricsSchemaUri: 'gs://x/regression_metrics_1.0.0.yaml', metrics: { rootMeanSquaredError: 5.2, rSquared: 0.91 } },
    };

    const gateArgs = (name: string, thresholds: object) => ['--evaluation', path('evaluation.json'), '--thresholds', JSON.stringify(thresholds),
      '--approved', path(name, 'approved'), '--decision', path(name, 'decision.md'), '--reason', path(name, 'reason')];

    async function gate(name: string, thresholds: object) {
      writeFileSync(path('evaluation.json'), JSON.stringify(evaluation));
      await runOk('gate', gateArgs(name, thresholds));
      return { approved: readText(path(name, 'approved')), decision: readText(path(name, 'decision.md')), reason: readText(path(name, 'reason')) };
    }

    it('approves when every bound holds, by our names or Vertex schema names', async () => {
      const result = await gate('ok', { r2: { min: 0.9 }, rmse: { max: 6 }, rootMeanSquaredError: { min: 1, max: 6 } });
      expect(result.approved).toBe('true');
      expect(result.decision).toContain('**APPROVED**');
      expect(result.decision).toContain('| `rootMeanSquaredError` | >= 1 and <= 6 | 5.2 | pass |');
      expect(result.reason).toBe('approved: r2 0.91 (>= 0.9); rmse 5.2 (<= 6); rootMeanSquaredError 5.2 (>= 1 and <= 6)');
    }, 20_000);

    it('rejects on a violated bound, a missing metric, a null metric or a malformed threshold', async () => {
      const result = await gate('bad', { rmse: { max: 5 }, accuracy: { min: 0.8 }, mape: { max: 10 }, r2: { min: 'high' } });
      expect(result.approved).toBe('false');
      expect(result.decision).toContain('**REJECTED**');
      expect(result.decision).toContain('5.2 is above the maximum 5');
      expect(result.decision).toContain("metric 'accuracy' is not in the evaluation");
      expect(result.decision).toContain("metric 'mape' has no numeric value (None)");
      expect(result.decision).toContain("min must be a number, got 'high'");
      expect(result.reason).toMatch(/^rejected: rmse: 5.2 is above the maximum 5; accuracy: metric 'accuracy' is not in the evaluation; /);
    }, 20_000);

    it('refuses a metric name outside the closed set, with the submission check\'s did-you-mean', async () => {
      writeFileSync(path('evaluation.json'), JSON.stringify(evaluation));
      const result = await runComponent('gate', gateArgs('typo', { rmse: { max: 6 }, rmsee: { max: 6 } }));
      expect(result.code).toBe(1);
      expect(result.logs.find((l) => l.severity === 'ERROR')?.message).toMatch(
        /^gate failed: thresholds\.rmsee: 'rmsee' is not one of mse, rmse, .*; did you mean `rmse`\?$/,
      );
    }, 20_000);
  });
});
