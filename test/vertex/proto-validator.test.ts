import { toValue } from '@google-cloud/aiplatform/build/src/helpers.js';
import { describe, expect, it } from 'vitest';
import type { ValidationIssue } from '../../vertex/validation/proto-validator.js';
import { assertValidRequest, ProtoValidationError, validateRequest } from '../../vertex/validation/proto-validator.js';
import { toProtoValue } from '../../vertex/shared/struct.js';
import { PARENT } from './support.js';

function customJobRequest(pool: Record<string, unknown>, jobSpecExtra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    parent: PARENT,
    customJob: {
      displayName: 'train',
      jobSpec: {
        workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'gcr.io/p/i:1' }, ...pool }],
        ...jobSpecExtra,
      },
    },
  };
}

function errorsOf(typeName: string, value: unknown): ValidationIssue[] {
  return validateRequest(typeName, value).filter((i) => i.severity === 'error');
}

function onlyIssue(typeName: string, value: unknown): ValidationIssue {
  const errors = errorsOf(typeName, value);
  expect(errors).toHaveLength(1);
  return errors[0] as ValidationIssue;
}

describe('validateRequest', () => {
  it('accepts a well-formed request, by short or full type name', () => {
    const request = customJobRequest({});
    expect(errorsOf('CreateCustomJobRequest', request)).toEqual([]);
    expect(errorsOf('google.cloud.aiplatform.v1.CreateCustomJobRequest', request)).toEqual([]);
  });

  it('rejects an unknown field and suggests the real one', () => {
    const request = customJobRequest({});
    const jobSpec = (request.customJob as { jobSpec: Record<string, unknown> }).jobSpec;
    jobSpec.workerPoolSpec = jobSpec.workerPoolSpecs;
    delete jobSpec.workerPoolSpecs;
    const issues = errorsOf('CreateCustomJobRequest', request);
    const unknown = issues.find((i) => i.code === 'unknown-field');
    expect(unknown?.path).toBe('customJob.jobSpec.workerPoolSpec');
    expect(unknown?.message).toContain('did you mean `workerPoolSpecs`?');
    // The real field is now missing too, and REQUIRED.
    expect(issues.some((i) => i.code === 'required' && i.path === 'customJob.jobSpec.workerPoolSpecs')).toBe(true);
  });

  it('suggests the camelCase name for a snake_case key', () => {
    const issue = onlyIssue('CreateCustomJobRequest', customJobRequest({ replica_count: 2 }));
    expect(issue.message).toContain('did you mean `replicaCount`?');
  });

  it('rejects wrong scalar types with the field path', () => {
    const issue = onlyIssue('CreateCustomJobRequest', customJobRequest({
      machineSpec: { machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: '2' },
    }));
    expect(issue.path).toBe('customJob.jobSpec.workerPoolSpecs[0].machineSpec.acceleratorCount');
    expect(issue.message).toBe('expected integer, got string "2"');
  });

  it('accepts int64 as integer or decimal string, but not a fraction', () => {
    expect(errorsOf('CreateCustomJobRequest', customJobRequest({ replicaCount: '3' }))).toEqual([]);
    expect(onlyIssue('CreateCustomJobRequest', customJobRequest({ replicaCount: 1.5 })).code).toBe('type');
    expect(onlyIssue('CreateCustomJobRequest', customJobRequest({ replicaCount: 'three' })).code).toBe('type');
  });

  it('checks int32 ranges', () => {
    const issue = onlyIssue('CreateCustomJobRequest', customJobRequest({ diskSpec: { bootDiskSizeGb: 2 ** 31 } }));
    expect(issue.code).toBe('range');
  });

  it('rejects unknown enum names with a suggestion, accepts valid numbers', () => {
    const bad = onlyIssue('CreateCustomJobRequest', customJobRequest({
      machineSpec: { machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_TESLA_T5', acceleratorCount: 1 },
    }));
    expect(bad.code).toBe('enum');
    expect(bad.message).toContain('did you mean `NVIDIA_TESLA_T4`?');
    expect(errorsOf('CreateCustomJobRequest', customJobRequest({
      machineSpec: { machineType: 'n1-standard-4', acceleratorType: 5, acceleratorCount: 1 },
    }))).toEqual([]);
    expect(onlyIssue('CreateCustomJobRequest', customJobRequest({
      machineSpec: { machineType: 'n1-standard-4', acceleratorType: 999 },
    })).code).toBe('enum');
  });

  it('reports deprecated enum values as warnings only', () => {
    const request = customJobRequest({}, { scheduling: { strategy: 'LOW_COST' } });
    const issues = validateRequest('CreateCustomJobRequest', request);
    expect(issues.map((i) => [i.severity, i.code])).toEqual([['warning', 'deprecated']]);
    expect(() => assertValidRequest('CreateCustomJobRequest', request)).not.toThrow();
  });

  it('reports missing required fields, including enum fields left unspecified', () => {
    const missing = errorsOf('CreateCustomJobRequest', { parent: PARENT, customJob: { jobSpec: { workerPoolSpecs: [{}] } } });
    expect(missing.map((i) => [i.code, i.path])).toEqual([['required', 'customJob.displayName']]);

    const metricWithoutGoal = {
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'hpt',
        maxTrialCount: 4,
        parallelTrialCount: 2,
        trialJobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'gcr.io/p/i' } }] },
        studySpec: {
          metrics: [{ metricId: 'loss', goal: 'GOAL_TYPE_UNSPECIFIED' }],
          parameters: [{ parameterId: 'lr', doubleValueSpec: { minValue: 0.001, maxValue: 0.1 } }],
        },
      },
    };
    const issue = onlyIssue('CreateHyperparameterTuningJobRequest', metricWithoutGoal);
    expect(issue).toMatchObject({ code: 'required', path: 'hyperparameterTuningJob.studySpec.metrics[0].goal' });
  });

  it('recovers REQUIRED behaviours that protos.json drops (REQUIRED + IMMUTABLE in the .proto)', () => {
    const issues = errorsOf('DeployModelRequest', {
      endpoint: 'projects/p1234/locations/us-central1/endpoints/123',
      deployedModel: { model: 'projects/p1234/locations/us-central1/models/m', dedicatedResources: { maxReplicaCount: 2 } },
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'deployedModel.dedicatedResources.machineSpec',
      'deployedModel.dedicatedResources.minReplicaCount',
    ]);
  });

  it('flags a plain object given where a Struct is expected', () => {
    const issue = onlyIssue('CreatePipelineJobRequest', {
      parent: PARENT,
      pipelineJob: { pipelineSpec: { pipelineInfo: { name: 'p' } }, runtimeConfig: { gcsOutputDirectory: 'gs://b/root' } },
    });
    expect(issue).toMatchObject({ code: 'struct-plain-object', path: 'pipelineJob.pipelineSpec' });
    expect(issue.message).toContain('helpers.toValue(x).structValue');
  });

  it('accepts Structs and Values made by helpers.toValue, rejects raw values in a Value map', () => {
    const converted = toValue({ pipelineInfo: { name: 'p' }, list: [1, 'a', null, { b: true }] }) as { structValue: unknown };
    const request = (parameterValues: Record<string, unknown>): unknown => ({
      parent: PARENT,
      pipelineJob: { pipelineSpec: converted.structValue, runtimeConfig: { gcsOutputDirectory: 'gs://b/root', parameterValues } },
    });
    expect(errorsOf('CreatePipelineJobRequest', request({ lr: toProtoValue(0.1, 'lr'), name: toProtoValue('x', 'name') }))).toEqual([]);

    const issues = errorsOf('CreatePipelineJobRequest', request({ lr: 0.1, cfg: { depth: 3 } }));
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['value-raw', 'pipelineJob.runtimeConfig.parameterValues["lr"]'],
      ['value-raw', 'pipelineJob.runtimeConfig.parameterValues["cfg"]'],
    ]);
    expect(issues[0]?.message).toContain('helpers.toValue(x)');
  });

  it('rejects a Value with two kinds or a kind tag that disagrees', () => {
    const request = {
      parent: PARENT,
      pipelineJob: {
        runtimeConfig: {
          gcsOutputDirectory: 'gs://b/root',
          parameterValues: { a: { numberValue: 1, stringValue: '1' }, b: { kind: 'stringValue', numberValue: 2 } },
        },
      },
    };
    expect(errorsOf('CreatePipelineJobRequest', request).map((i) => [i.code, i.path])).toEqual([
      ['oneof', 'pipelineJob.runtimeConfig.parameterValues["a"]'],
      ['oneof', 'pipelineJob.runtimeConfig.parameterValues["b"].kind'],
    ]);
  });

  it('reports OUTPUT_ONLY fields set by the caller', () => {
    const request = customJobRequest({});
    (request.customJob as Record<string, unknown>).state = 'JOB_STATE_RUNNING';
    const issue = onlyIssue('CreateCustomJobRequest', request);
    expect(issue).toMatchObject({ code: 'output-only', path: 'customJob.state' });
  });

  it('allows an OUTPUT_ONLY name that forms the request URL (UpdateEndpoint)', () => {
    const request = {
      endpoint: { name: 'projects/p1234/locations/us-central1/endpoints/42', etag: 'abc', trafficSplit: { '1': 100 } },
      updateMask: { paths: ['traffic_split'] },
    };
    expect(errorsOf('UpdateEndpointRequest', request)).toEqual([]);
  });

  it('checks update mask paths against the resource', () => {
    const request = {
      endpoint: { name: 'projects/p1234/locations/us-central1/endpoints/42' },
      updateMask: { paths: ['trafficSplit', 'trafic_split', 'deployed_models'] },
    };
    const messages = errorsOf('UpdateEndpointRequest', request).map((i) => `${i.path}: ${i.message}`);
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain('use `traffic_split`');
    expect(messages[1]).toContain('did you mean `traffic_split`?');
    expect(messages[2]).toContain('OUTPUT_ONLY');
  });

  it('checks resource names against the URL template', () => {
    const issue = onlyIssue('CreateCustomJobRequest', { ...customJobRequest({}), parent: 'projects/p/us-central1' });
    expect(issue).toMatchObject({ code: 'resource-name', path: 'parent' });
    expect(issue.message).toContain('projects/*/locations/*');
  });

  it('rejects more than one member of a oneof', () => {
    const issue = onlyIssue('CreateCustomJobRequest', customJobRequest({
      pythonPackageSpec: { executorImageUri: 'gcr.io/p/e', packageUris: ['gs://b/p.tar.gz'], pythonModule: 'trainer.task' },
    }));
    expect(issue).toMatchObject({ code: 'oneof', path: 'customJob.jobSpec.workerPoolSpecs[0]' });
  });

  it('rejects a Duration given as a string, which protobufjs would encode as zero', () => {
    const issue = onlyIssue('CreateCustomJobRequest', customJobRequest({}, { scheduling: { timeout: '3600s' } }));
    expect(issue).toMatchObject({ code: 'type', path: 'customJob.jobSpec.scheduling.timeout' });
    expect(errorsOf('CreateCustomJobRequest', customJobRequest({}, { scheduling: { timeout: { seconds: 3600 } } }))).toEqual([]);
    expect(onlyIssue('CreateCustomJobRequest', customJobRequest({}, { scheduling: { timeout: { seconds: 1, nanos: 2e9 } } })).code).toBe('range');
  });

  it('checks Timestamp and FieldMask objects', () => {
    expect(errorsOf('google.protobuf.Timestamp', { seconds: 1_750_000_000, nanos: 5 })).toEqual([]);
    expect(onlyIssue('google.protobuf.Timestamp', new Date()).message).toContain('{seconds: N, nanos: M}');
    expect(onlyIssue('google.protobuf.Timestamp', { seconds: 1, nanos: -1 }).code).toBe('range');
    expect(onlyIssue('google.protobuf.FieldMask', { paths: 'traffic_split' }).path).toBe('paths');
    expect(onlyIssue('google.protobuf.FieldMask', { path: ['traffic_split'] }).code).toBe('unknown-field');
  });

  it('requires arrays for repeated fields and objects for maps', () => {
    const issues = errorsOf('CreateCustomJobRequest', {
      ...customJobRequest({ containerSpec: { imageUri: 'gcr.io/p/i', args: '--lr=1' } }),
    });
    expect(issues.map((i) => i.path)).toEqual(['customJob.jobSpec.workerPoolSpecs[0].containerSpec.args']);
    const labels = customJobRequest({});
    (labels.customJob as Record<string, unknown>).labels = { team: 7 };
    expect(onlyIssue('CreateCustomJobRequest', labels).path).toBe('customJob.labels["team"]');
  });

  it('accepts bytes as base64 or Uint8Array only', () => {
    const request = (data: unknown): unknown => ({ endpoint: 'projects/p1234/locations/us-central1/endpoints/1', httpBody: { contentType: 'application/json', data } });
    expect(errorsOf('RawPredictRequest', request('eyJhIjoxfQ=='))).toEqual([]);
    expect(errorsOf('RawPredictRequest', request(new Uint8Array([1, 2])))).toEqual([]);
    expect(onlyIssue('RawPredictRequest', request('not base64!')).path).toBe('httpBody.data');
  });

  it('throws an Error listing every issue with its path', () => {
    const request = customJobRequest({ replicaCount: 'x', machineSpec: { machineType: 4 } });
    expect(() => assertValidRequest('CreateCustomJobRequest', request)).toThrow(ProtoValidationError);
    try {
      assertValidRequest('CreateCustomJobRequest', request);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('google.cloud.aiplatform.v1.CreateCustomJobRequest (2 issues)');
      expect(message).toContain('customJob.jobSpec.workerPoolSpecs[0].replicaCount: expected integer or decimal string, got string "x"');
      expect(message).toContain('customJob.jobSpec.workerPoolSpecs[0].machineSpec.machineType: expected string, got number 4');
    }
  });

  it('names unknown message types with a suggestion', () => {
    expect(() => validateRequest('CreateCustomJobRequst', {})).toThrow(/did you mean `CreateCustomJobRequest`/);
  });
});
