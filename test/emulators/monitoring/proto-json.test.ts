import { describe, expect, it } from 'vitest';
import { indexRanges } from '../../../emulators/monitoring/write-time-series.js';
import { formatDuration, formatTimestamp, parseDouble, parseDuration, parseInt64, parseTimestamp } from '../../../emulators/monitoring/proto-json.js';
import { protoPath } from '../../../emulators/monitoring/validation.js';

describe('proto3 JSON scalars', () => {
  it('parses RFC 3339 timestamps to nanoseconds and formats them back as Google does', () => {
    const ns = parseTimestamp('2023-11-14T22:13:20.000000005Z');
    expect(ns).toBe(1_700_000_000_000_000_005n);
    expect(formatTimestamp(ns!)).toBe('2023-11-14T22:13:20.000000005Z');
    expect(formatTimestamp(1_700_000_000_000_000_000n)).toBe('2023-11-14T22:13:20Z');
    expect(formatTimestamp(1_700_000_000_123_000_000n)).toBe('2023-11-14T22:13:20.123Z');
    expect(formatTimestamp(1_700_000_000_123_456_000n)).toBe('2023-11-14T22:13:20.123456Z');
    expect(parseTimestamp('2023-11-14T23:13:20+01:00')).toBe(1_700_000_000_000_000_000n);
    expect(parseTimestamp('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000_000_000n);
  });

  it.each(['2023-02-30T00:00:00Z', '2023-11-14 22:13:20Z', '2023-11-14T22:13:20', '2023-11-14T24:00:00Z', 'yesterday'])('rejects timestamp %j', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it('parses durations, int64 and doubles in their JSON spellings', () => {
    expect(parseDuration('60s')).toBe(60_000_000_000n);
    expect(parseDuration('1.5s')).toBe(1_500_000_000n);
    expect(parseDuration('60')).toBeUndefined();
    expect(formatDuration(90_000_000_000n)).toBe('90s');
    expect(parseInt64('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(parseInt64('9223372036854775808')).toBeUndefined();
    expect(parseInt64(42)).toBe(42n);
    expect(parseInt64(1.5)).toBeUndefined();
    expect(parseDouble('NaN')).toBeNaN();
    expect(parseDouble('-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseDouble('2.5')).toBe(2.5);
    expect(parseDouble('abc')).toBeUndefined();
  });

  it('names fields the way Google does in errors', () => {
    expect(protoPath(['timeSeries', 0, 'points', 0, 'value', 'int64Value'])).toBe('time_series[0].points[0].value.int64_value');
    expect(protoPath(['timeSeries', 1, 'metric', 'labels', 'myKey'])).toBe('time_series[1].metric.labels[myKey]');
  });

  it('lists failed series indices as ranges', () => {
    expect(indexRanges([8, 0, 2, 3, 4, 6])).toBe('0,2-4,6,8');
    expect(indexRanges([5])).toBe('5');
  });
});
