import { describe, expect, it } from 'vitest';
import { GoogleApiError } from '../../../emulators/kit/google-error.js';
import { compileDescriptorFilter, compileSeriesFilter, type SeriesSubject } from '../../../emulators/monitoring/filter/compile.js';
import { FilterSyntaxError, tokenize } from '../../../emulators/monitoring/filter/lexer.js';
import { parseFilter } from '../../../emulators/monitoring/filter/parser.js';
import type { MetricDescriptor } from '../../../emulators/monitoring/model.js';

const subject = (metricLabels: Record<string, string>, resourceLabels: Record<string, string> = {}, resourceType = 'generic_task'): SeriesSubject => ({
  project: 'p',
  identity: { metricType: 'custom.googleapis.com/latency', metricLabels, resourceType, resourceLabels },
});

function syntaxError(filter: string): FilterSyntaxError {
  try {
    parseFilter(filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${filter} to be rejected`);
}

function apiError(run: () => unknown): GoogleApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof GoogleApiError) return err;
    throw err;
  }
  throw new Error('expected a GoogleApiError');
}

describe('filter lexer', () => {
  it('splits selectors, operators, strings with escapes, numbers and keywords', () => {
    const tokens = tokenize('metric.labels.code >= -5 AND resource.type != "a \\"b\\"" OR NOT x=starts_with("p")');
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['ident', 'metric.labels.code'],
      ['op', '>='],
      ['number', '-5'],
      ['and', 'AND'],
      ['ident', 'resource.type'],
      ['op', '!='],
      ['string', 'a "b"'],
      ['or', 'OR'],
      ['not', 'NOT'],
      ['ident', 'x'],
      ['op', '='],
      ['ident', 'starts_with'],
      ['lparen', '('],
      ['string', 'p'],
      ['rparen', ')'],
      ['end', ''],
    ]);
  });

  it('reports unterminated strings and stray characters with their position', () => {
    expect(() => tokenize('metric.type = "abc')).toThrow(/unterminated string/);
    const err = (() => {
      try {
        tokenize('metric.type = "a" & x');
      } catch (e) {
        return e as FilterSyntaxError;
      }
      return undefined;
    })();
    expect(err?.pos).toBe(18);
  });
});

describe('filter parser', () => {
  it('builds AND chains, OR chains, NOT and parenthesised groups', () => {
    expect(parseFilter('metric.type = "a" AND (metric.labels.x = "1" OR NOT metric.labels.y = "2")')).toEqual({
      kind: 'and',
      items: [
        { kind: 'cmp', selector: 'metric.type', op: '=', value: { kind: 'string', value: 'a' }, pos: 0 },
        {
          kind: 'or',
          items: [
            { kind: 'cmp', selector: 'metric.labels.x', op: '=', value: { kind: 'string', value: '1' }, pos: 23 },
            { kind: 'not', item: { kind: 'cmp', selector: 'metric.labels.y', op: '=', value: { kind: 'string', value: '2' }, pos: 52 } },
          ],
        },
      ],
    });
  });

  it('parses function calls with their arguments', () => {
    expect(parseFilter('resource.labels.zone = one_of("a", "b")')).toMatchObject({ value: { kind: 'call', name: 'one_of', args: ['a', 'b'] } });
    expect(parseFilter('metric.type = starts_with("custom.googleapis.com/")')).toMatchObject({ value: { kind: 'call', name: 'starts_with' } });
    expect(parseFilter('metric.labels.x = monitoring.regex.full_match("a.*")')).toMatchObject({ value: { name: 'monitoring.regex.full_match' } });
  });

  it.each([
    ['', /empty/],
    ['metric.type = ', /missing value/],
    ['metric.type = "a" metric.labels.x = "b"', /expected AND or OR/],
    ['metric.type = "a" AND metric.labels.x = "b" OR metric.labels.y = "c"', /parentheses/],
    ['metric.type = custom.googleapis.com/a', /double quotes/],
    ['(metric.type = "a"', /missing '\)'/],
    ['metric.type = ends_with("a", "b")', /exactly one argument/],
    ['metric.type = contains("a")', /unknown function 'contains'/],
    ['metric.type =~ "a.*"', /monitoring.regex.full_match/],
    ['metric.labels.code > "500"', /needs a number/],
    ['metric.type = starts_with("a") AND metric.labels.x < starts_with("b")', /only be compared with = or !=/],
    ['metric.labels.x = monitoring.regex.full_match("(")', /invalid regular expression/],
  ])('rejects %j', (filter, message) => {
    expect(syntaxError(filter).message).toMatch(message);
  });
});

describe('time series filters', () => {
  it('finds the single metric type and matches label and resource conditions', () => {
    const f = compileSeriesFilter('metric.type = "custom.googleapis.com/latency" AND metric.labels.route = "/predict" AND resource.labels.task_id = "t1"');
    expect(f.metricType).toBe('custom.googleapis.com/latency');
    expect(f.matches(subject({ route: '/predict' }, { task_id: 't1' }))).toBe(true);
    expect(f.matches(subject({ route: '/predict' }, { task_id: 't2' }))).toBe(false);
    expect(f.matches(subject({ route: '/health' }, { task_id: 't1' }))).toBe(false);
  });

  it('supports !=, NOT, OR groups, string functions, regex and numeric comparisons', () => {
    const base = 'metric.type = "custom.googleapis.com/latency" AND ';
    const cases: [string, Record<string, string>, boolean][] = [
      ['metric.labels.route != "/health"', { route: '/predict' }, true],
      ['NOT metric.labels.route = "/predict"', { route: '/predict' }, false],
      ['(metric.labels.route = "/a" OR metric.labels.route = "/b")', { route: '/b' }, true],
      ['metric.labels.route = starts_with("/pre")', { route: '/predict' }, true],
      ['metric.labels.route = ends_with("ict")', { route: '/predict' }, true],
      ['metric.labels.route = has_substring("red")', { route: '/predict' }, true],
      ['metric.labels.route = one_of("/a", "/predict")', { route: '/predict' }, true],
      ['metric.labels.route = monitoring.regex.full_match("/p.*t")', { route: '/predict' }, true],
      ['metric.labels.route = monitoring.regex.full_match("/p")', { route: '/predict' }, false],
      ['metric.labels.code >= 500', { code: '503' }, true],
      ['metric.labels.code < 500', { code: '503' }, false],
      ['metric.labels.code = 200', { code: 'abc' }, false],
      ['metric.labels.missing = ""', {}, true],
      ['metric.labels.flag = true', { flag: 'true' }, true],
      ['metric.label.route = "/predict"', { route: '/predict' }, true],
    ];
    for (const [condition, labels, expected] of cases) {
      expect(compileSeriesFilter(base + condition).matches(subject(labels)), condition).toBe(expected);
    }
    expect(compileSeriesFilter(`${base}resource.type = "global"`).matches(subject({}, {}, 'global'))).toBe(true);
    expect(compileSeriesFilter(`${base}project = "p"`).matches(subject({}))).toBe(true);
  });

  it('answers 400 naming the problem for invalid and unsupported filters', () => {
    const err = apiError(() => compileSeriesFilter('metric.type = "custom.googleapis.com/x" AND metadata.user_labels.team = "a"'));
    expect(err.code).toBe(400);
    expect(err.message).toBe(
      `Field filter had an invalid value of "metric.type = "custom.googleapis.com/x" AND metadata.user_labels.team = "a"": unsupported selector 'metadata.user_labels.team'; supported: metric.type, metric.labels.<key>, resource.type, resource.labels.<key>, project (at position 44).`,
    );
    expect(apiError(() => compileSeriesFilter('metric.labels.x = "a"')).message).toMatch(/must specify a single metric type/);
    expect(apiError(() => compileSeriesFilter('metric.type = starts_with("custom.googleapis.com/")')).message).toMatch(/single metric type/);
    expect(apiError(() => compileSeriesFilter('metric.type = "a" AND metric.type = "b"')).message).toMatch(/more than one metric type/);
    expect(apiError(() => compileSeriesFilter('(metric.type = "a" OR metric.type = "b")')).message).toMatch(/single metric type/);
    expect(apiError(() => compileSeriesFilter(undefined)).message).toMatch(/filter is required/);
  });
});

describe('metric descriptor filters', () => {
  const descriptor = (type: string) => ({ type }) as MetricDescriptor;

  it('matches metric types by prefix and equality; empty matches all', () => {
    const custom = compileDescriptorFilter('metric.type = starts_with("custom.googleapis.com/")');
    expect(custom(descriptor('custom.googleapis.com/a'))).toBe(true);
    expect(custom(descriptor('workload.googleapis.com/a'))).toBe(false);
    expect(compileDescriptorFilter('metric.type = "workload.googleapis.com/a"')(descriptor('workload.googleapis.com/a'))).toBe(true);
    expect(compileDescriptorFilter('')(descriptor('anything'))).toBe(true);
  });

  it('rejects selectors that descriptors do not have', () => {
    expect(apiError(() => compileDescriptorFilter('metric.labels.x = "a"')).message).toMatch(/unsupported selector 'metric.labels.x'; supported: metric.type/);
  });
});
