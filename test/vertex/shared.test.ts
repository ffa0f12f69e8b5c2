import { describe, expect, it } from 'vitest';
import { durationSeconds, toDuration } from '../../vertex/shared/duration.js';
import { deterministicId, slugify } from '../../vertex/shared/ids.js';
import { toLabelValue, validateLabels } from '../../vertex/shared/labels.js';
import {
  endpointName,
  locationName,
  modelName,
  parseEndpointName,
  parseLocationName,
  parseModelName,
} from '../../vertex/shared/resource-names.js';
import { parseBigQueryUri, requireGcsUri } from '../../vertex/shared/storage-uris.js';
import type { JsonValue } from '../../pipelines/ir/index.js';
import { fromProtoValue, toProtoValue, toStruct } from '../../vertex/shared/struct.js';
import { expectFieldError, LOCATION, PARENT } from './support.js';

describe('toDuration', () => {
  it('turns "Ns" strings and seconds into {seconds, nanos}', () => {
    expect(toDuration('3600s', 'd')).toEqual({ seconds: 3600 });
    expect(toDuration('1.5s', 'd')).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(toDuration(90, 'd')).toEqual({ seconds: 90 });
    expect(toDuration(0.25, 'd')).toEqual({ seconds: 0, nanos: 250_000_000 });
    expect(toDuration({ seconds: 5, nanos: 1 }, 'd')).toEqual({ seconds: 5, nanos: 1 });
    for (const seconds of [0.1, 7.75, 86_400]) expect(durationSeconds(toDuration(seconds, 'd'))).toBeCloseTo(seconds, 9);
  });

  it('rejects other spellings, naming the field', () => {
    expectFieldError(() => toDuration('1h', 'scheduling.timeout'), 'scheduling.timeout', /3600s/);
    expectFieldError(() => toDuration(-1, 'd'), 'd');
    expectFieldError(() => toDuration({ seconds: 1, nanos: 1e9 }, 'd'), 'd');
  });
});

describe('labels', () => {
  it('accepts Google label rules, including international lowercase letters', () => {
    const labels = { team: 'churn', 'cost-center': '', env_1: 'prod', équipe: 'données' };
    expect(validateLabels(labels)).toEqual(labels);
    expect(validateLabels(undefined)).toBeUndefined();
  });

  it('rejects bad keys, values and counts', () => {
    expectFieldError(() => validateLabels({ '1team': 'x' }), 'labels.1team');
    expectFieldError(() => validateLabels({ team: 'UPPER' }), 'labels.team');
    expectFieldError(() => validateLabels({ team: 'has space' }), 'labels.team');
    expectFieldError(() => validateLabels({ ['k'.repeat(64)]: 'v' }), `labels.${'k'.repeat(64)}`);
    expectFieldError(() => validateLabels({ team: 'v'.repeat(64) }), 'labels.team');
    expectFieldError(() => validateLabels(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))), 'labels');
  });

  it('toLabelValue produces valid label values', () => {
    for (const text of ['Churn Model v2.1', 'ÉTÉ/2025', 'x'.repeat(100)]) {
      expect(() => validateLabels({ key: toLabelValue(text) })).not.toThrow();
    }
  });
});

describe('resource names', () => {
  it('builds and parses location, model and endpoint names', () => {
    expect(locationName(LOCATION)).toBe(PARENT);
    expect(parseLocationName(PARENT)).toEqual(LOCATION);
    const model = modelName(LOCATION, 'churn');
    expect(parseModelName(`${model}@champion`)).toMatchObject({ ...LOCATION, id: 'churn', version: 'champion', baseName: model });
    expect(parseModelName(model).version).toBeUndefined();
    expect(parseEndpointName(endpointName(LOCATION, '42'))).toMatchObject({ ...LOCATION, id: '42', collection: 'endpoints' });
  });

  it('rejects malformed names, naming the field', () => {
    expectFieldError(() => parseLocationName('projects/p/us-central1'), 'parent');
    expectFieldError(() => locationName({ project: 'My Project', location: 'us-central1' }), 'project');
    expectFieldError(() => locationName({ project: 'mlops-demo', location: 'US' }), 'location');
    expectFieldError(() => parseModelName(`${PARENT}/endpoints/1`), 'model');
    expectFieldError(() => parseModelName(`${PARENT}/models/churn@`), 'model');
  });
});

describe('storage URIs', () => {
  it('checks gs:// and bq:// URIs', () => {
    expect(requireGcsUri('gs://mlops-demo-models/a/b', 'u')).toBe('gs://mlops-demo-models/a/b');
    expectFieldError(() => requireGcsUri('gs://ab/x', 'u'), 'u');
    expectFieldError(() => requireGcsUri('gs://Bucket/x', 'u'), 'u');
    expect(parseBigQueryUri('bq://mlops-demo.logs.requests', 'b')).toEqual({ project: 'mlops-demo', dataset: 'logs', table: 'requests' });
    expect(parseBigQueryUri('bq://mlops-demo', 'b')).toEqual({ project: 'mlops-demo', dataset: undefined, table: undefined });
    expectFieldError(() => parseBigQueryUri('bq://mlops-demo.logs.requests.extra', 'b'), 'b');
  });
});

describe('Struct/Value conversion', () => {
  it('round-trips JSON, dropping undefined members like JSON does', () => {
    // A JavaScript caller may pass undefined members, which the JSON type does not allow.
    const value = { a: 1, b: [true, null, 'x', { c: 2.5 }], d: {}, e: undefined } as unknown as JsonValue;
    expect(fromProtoValue(toProtoValue(value, 'v'))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('rejects values helpers.toValue would mangle', () => {
    expectFieldError(() => toStruct({ when: new Date() } as never, 'spec'), 'spec.when');
    expectFieldError(() => toProtoValue([1, undefined] as never, 'list'), 'list[1]');
    expectFieldError(() => toProtoValue(Number.POSITIVE_INFINITY, 'n'), 'n');
    expectFieldError(() => toStruct([] as never, 'spec'), 'spec');
  });
});

describe('deterministicId', () => {
  it('is stable, bounded and distinct per input', () => {
    const a = deterministicId('Train Model', ['Train Model', 'k1'], 40);
    expect(deterministicId('Train Model', ['Train Model', 'k1'], 40)).toBe(a);
    expect(deterministicId('Train Model', ['Train Model', 'k2'], 40)).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(40);
    expect(a.startsWith(`${slugify('Train Model')}-`)).toBe(true);
  });
});
