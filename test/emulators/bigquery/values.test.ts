// Unit tests for value conversions: time text, NUMERIC scaling, parameter literals.
import { describe, expect, it } from 'vitest';
import { parametersToSql } from '../../../emulators/bigquery/params.js';
import { parseDecimal } from '../../../emulators/bigquery/row-coercion.js';
import { formatDatetime, formatFloatSeconds, formatTimestampIso, parseEpochSeconds, parseTimestamp } from '../../../emulators/bigquery/time.js';

describe('time', () => {
  it('formats TIMESTAMP float seconds as BigQuery (Java) does', () => {
    expect(formatFloatSeconds(1_700_000_000_000_000n)).toBe('1.7E9');
    expect(formatFloatSeconds(1_700_000_000_123_456n)).toBe('1.700000000123456E9');
    expect(formatFloatSeconds(12_500_000n)).toBe('12.5');
    expect(formatFloatSeconds(0n)).toBe('0.0');
    expect(formatFloatSeconds(-86_400_000_000n)).toBe('-86400.0');
    expect(formatFloatSeconds(500n)).toBe('5.0E-4');
  });

  it('parses timestamps with zones and epoch seconds exactly', () => {
    expect(parseTimestamp('2024-01-02 03:04:05.123456 UTC')).toBe(1_704_164_645_123_456n);
    expect(parseTimestamp('2024-01-02T05:04:05+02:00')).toBe(1_704_164_645_000_000n);
    expect(parseTimestamp('2024-01-02')).toBe(1_704_153_600_000_000n);
    expect(parseTimestamp('not a time')).toBeUndefined();
    expect(parseEpochSeconds('1704164645.5')).toBe(1_704_164_645_500_000n);
    expect(formatTimestampIso(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatDatetime(0n)).toBe('1970-01-01T00:00:00');
  });
});

describe('NUMERIC', () => {
  it('scales decimal text, rounding half away from zero', () => {
    expect(parseDecimal('1.5', 9)).toBe(1_500_000_000n);
    expect(parseDecimal('-0.0000000005', 9)).toBe(-1n);
    expect(parseDecimal('1e3', 2)).toBe(100_000n);
    expect(parseDecimal('abc', 9)).toBeUndefined();
  });
});

describe('query parameters', () => {
  it('renders typed literals and quotes strings', () => {
    const sql = parametersToSql(
      [
        { name: 's', parameterType: { type: 'STRING' }, parameterValue: { value: "x'); DROP TABLE t; --" } },
        { name: 'n', parameterType: { type: 'INT64' }, parameterValue: { value: 5 } },
        { name: 'ts', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '2024-01-01T00:00:00.000Z' } },
        { name: 'arr', parameterType: { type: 'ARRAY', arrayType: { type: 'INT64' } }, parameterValue: { arrayValues: [{ value: '1' }, { value: '2' }] } },
        { name: 'st', parameterType: { type: 'STRUCT', structTypes: [{ name: 'a', type: { type: 'BOOL' } }] }, parameterValue: { structValues: { a: { value: true } } } },
        { name: 'none', parameterType: { type: 'DATE' }, parameterValue: { value: null } },
      ],
      'named',
    );
    expect(Object.fromEntries(sql.named)).toEqual({
      s: "'x''); DROP TABLE t; --'",
      n: 'CAST(5 AS BIGINT)',
      ts: "CAST('2024-01-01 00:00:00+00' AS TIMESTAMPTZ)",
      arr: 'CAST([CAST(1 AS BIGINT), CAST(2 AS BIGINT)] AS BIGINT[])',
      st: 'CAST(struct_pack("a" := TRUE) AS STRUCT("a" BOOLEAN))',
      none: 'CAST(NULL AS DATE)',
    });
  });

  it('rejects values that do not fit the declared type', () => {
    expect(() => parametersToSql([{ name: 'n', parameterType: { type: 'INT64' }, parameterValue: { value: '1; DROP' } }], 'named')).toThrow(/Invalid INT64 value for query parameter 'n'/);
  });
});
