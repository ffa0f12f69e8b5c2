import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnNameProblem, parseTableReference, scanQuery, tableReferenceText } from '../../../control-plane/config/bigquery-source.js';
import { formatDuration, parseDuration } from '../../../control-plane/config/durations.js';
import { PIPELINE_NAMES, pipelineDefinition, pipelineParameterProblems } from '../../../control-plane/config/pipeline-parameters.js';
import { cronProblem, timeZoneProblem } from '../../../control-plane/config/schedule-checks.js';

describe('parseDuration', () => {
  it("reads Google's seconds form and gcloud's units", () => {
    expect(parseDuration('3600s')).toEqual({ seconds: 3600 });
    expect(parseDuration('1.5s')).toEqual({ seconds: 1.5 });
    expect(parseDuration('90m')).toEqual({ seconds: 5400 });
    expect(parseDuration('2h')).toEqual({ seconds: 7200 });
    expect(parseDuration('1d')).toEqual({ seconds: 86_400 });
    expect(parseDuration('1h30m')).toEqual({ seconds: 5400 });
    expect(parseDuration('0s')).toEqual({ seconds: 0 });
  });

  it('refuses other spellings', () => {
    for (const text of ['', '30', '1.5h', '30m1h', '2 h', '-5s', 'PT1H', '1w', '1h1h']) expect(parseDuration(text), text).toHaveProperty('problem');
  });

  it('round-trips through formatDuration (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 400 * 86_400 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds))).toEqual({ seconds });
      }),
    );
    expect(formatDuration(5400)).toBe('1h30m');
  });
});

describe('BigQuery names', () => {
  it('parses table references into TableReference parts', () => {
    expect(parseTableReference('samples.flights')).toEqual({ table: { datasetId: 'samples', tableId: 'flights' } });
    expect(parseTableReference('my-project.samples.flights')).toEqual({ table: { projectId: 'my-project', datasetId: 'samples', tableId: 'flights' } });
    expect(parseTableReference('example.com:my-project.samples.flights')).toEqual({ table: { projectId: 'example.com:my-project', datasetId: 'samples', tableId: 'flights' } });
    expect(tableReferenceText({ datasetId: 'd', tableId: 't' }, 'p-123456')).toBe('p-123456.d.t');
  });

  it('refuses anything that would need quoting in SQL', () => {
    for (const text of ['flights', 'a.b.c.d', 'samples.flights`', 'samples.fli ghts', 'sam-ples.flights', 'P.samples.flights', 'samples.', '.flights', 'x.samples.flights']) {
      expect(parseTableReference(text), text).toHaveProperty('problem');
    }
  });

  it('holds column names to BigQuery rules, reserved prefixes included', () => {
    expect(columnNameProblem('delay')).toBeUndefined();
    expect(columnNameProblem('_private_2')).toBeUndefined();
    for (const name of ['2x', 'a-b', 'a b', '', 'x'.repeat(301), '_TABLE_SUFFIX', '_partitiontime']) expect(columnNameProblem(name), name).toBeDefined();
  });

  it('no name that passes contains a character that could leave a quoted identifier (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (dataset, table) => {
        const parsed = parseTableReference(`${dataset}.${table}`);
        if ('table' in parsed) expect(`${parsed.table.datasetId}${parsed.table.tableId}`).toMatch(/^[A-Za-z0-9_]+$/);
        if (columnNameProblem(dataset) === undefined) expect(dataset).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }),
    );
  });
});

describe('scanQuery', () => {
  it('finds named parameters once each, in order, skipping strings, quoted names, comments and @@variables', () => {
    const scan = scanQuery(`
      -- @commented
      /* @block */ # @hash
      SELECT '@in_string', "@dq", \`@quoted\`, '''@triple''', @@session.time_zone
      FROM t WHERE a = @a AND b < @b_2 OR a = @a`);
    expect(scan).toEqual({ parameters: ['a', 'b_2'] });
  });

  it('accepts WITH and parenthesized queries and one trailing semicolon', () => {
    expect(scanQuery('WITH x AS (SELECT 1) SELECT * FROM x;').problem).toBeUndefined();
    expect(scanQuery('(SELECT 1)').problem).toBeUndefined();
  });

  it('refuses statements that are not one query', () => {
    expect(scanQuery('SELECT 1; SELECT 2').problem).toMatch(/single statement/);
    expect(scanQuery('INSERT INTO t VALUES (1)').problem).toMatch(/must be a query/);
    expect(scanQuery('SELECT * FROM t WHERE a = ?').problem).toMatch(/named parameters/);
    expect(scanQuery("SELECT ';' AS s, '?' AS q").problem).toBeUndefined();
  });

  it('finds exactly the parameters a query uses (property)', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 5 }), fc.array(name, { maxLength: 3 }), (used, quoted) => {
        const sql = `SELECT ${quoted.map((q) => `'@${q}'`).concat(['1']).join(', ')} FROM t WHERE ${used.map((u) => `c = @${u}`).concat(['TRUE']).join(' AND ')}`;
        expect(scanQuery(sql)).toEqual({ parameters: used });
      }),
    );
  });
});

describe('schedule checks', () => {
  it('takes unix-cron with names, ranges, steps and lists', () => {
    for (const cron of ['0 3 * * 1', '*/15 * * * *', '0 9-17 * * MON-FRI', '0 0 1,15 * *', '30 2 * JAN,JUL SUN']) expect(cronProblem(cron), cron).toBeUndefined();
  });

  it('takes tz database names, aliases included, but not in another case', () => {
    for (const zone of ['Etc/UTC', 'UTC', 'America/New_York', 'US/Eastern']) expect(timeZoneProblem(zone), zone).toBeUndefined();
    expect(timeZoneProblem('utc')).toMatch(/case-sensitive.*'UTC'/);
    expect(timeZoneProblem('Mars/Olympus')).toMatch(/tz database/);
  });
});

describe('pipeline parameters', () => {
  it("names each pipeline by its definition's own name", () => {
    for (const name of PIPELINE_NAMES) expect(pipelineDefinition(name).name).toBe(name);
  });

  it('lets the tuning pipeline take its own parameters, checked by type', () => {
    expect(pipelineParameterProblems('training-pipeline-hpt', { model_type: 'xgboost', max_trial_count: 8, algorithm: 'RANDOM_SEARCH' })).toEqual([]);
    expect(pipelineParameterProblems('training-pipeline-hpt', { max_trial_count: 2.5 })).toEqual([{ path: ['max_trial_count'], message: expect.stringMatching(/integer/) as string }]);
    expect(pipelineParameterProblems('training-pipeline-hpt', { project: 'p' })).toEqual([{ path: ['project'], message: expect.stringMatching(/control plane/) as string }]);
  });
});
