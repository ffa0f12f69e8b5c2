import { protos } from '@google-cloud/aiplatform';
import { describe, expect, it } from 'vitest';
import type { PipelineJobInput } from '../../vertex/requests/pipeline-job.js';
import { buildCreatePipelineJobRequest, pipelineJobId } from '../../vertex/requests/pipeline-job.js';
import type { ICreatePipelineJobRequest } from '../../vertex/shared/proto-types.js';
import { fromStruct } from '../../vertex/shared/struct.js';
import { validateRequest } from '../../vertex/validation/proto-validator.js';
import { compiledPipeline } from './fixtures.js';
import { expectFieldError, expectValidRequest, LOCATION, PARENT } from './support.js';

function input(overrides: Partial<PipelineJobInput> = {}): PipelineJobInput {
  return {
    ...LOCATION,
    pipelineSpec: compiledPipeline(),
    runKey: '2025-06-01',
    gcsOutputDirectory: 'gs://mlops-demo-pipelines/root',
    parameterValues: { learning_rate: 0.05, dataset_uri: 'bq://mlops-demo.churn.training' },
    failurePolicy: 'PIPELINE_FAILURE_POLICY_FAIL_FAST',
    labels: { team: 'churn', env: 'prod' },
    serviceAccount: 'pipelines@mlops-demo.iam.gserviceaccount.com',
    ...overrides,
  };
}

describe('buildCreatePipelineJobRequest', () => {
  it('builds a request that passes the proto validator', () => {
    const request = buildCreatePipelineJobRequest(input({
      network: 'projects/123456789/global/networks/vertex-vpc',
      encryptionKmsKeyName: 'projects/mlops-demo/locations/us-central1/keyRings/ml/cryptoKeys/pipelines',
    }));
    expectValidRequest('CreatePipelineJobRequest', request);
    expect(request.parent).toBe(PARENT);
    expect(request.pipelineJob?.displayName).toBe('churn-train-eval');
    expect(request.pipelineJob?.runtimeConfig?.failurePolicy).toBe('PIPELINE_FAILURE_POLICY_FAIL_FAST');
  });

  it('converts the spec and parameters with helpers.toValue (content preserved)', () => {
    const spec = compiledPipeline();
    const request = buildCreatePipelineJobRequest(input({ pipelineSpec: spec }));
    expect(fromStruct(request.pipelineJob?.pipelineSpec)).toEqual(spec);
    const values = request.pipelineJob?.runtimeConfig?.parameterValues ?? {};
    expect(values.learning_rate?.numberValue).toBe(0.05);
    expect(values.dataset_uri?.stringValue).toBe('bq://mlops-demo.churn.training');
  });

  it('survives the real client encoding with the pipeline spec intact', () => {
    const spec = compiledPipeline();
    const request = buildCreatePipelineJobRequest(input({ pipelineSpec: spec }));
    const Type = protos.google.cloud.aiplatform.v1.CreatePipelineJobRequest;
    // toObject returns an untyped record; it has the request's shape.
    const decoded = Type.toObject(Type.decode(Type.encode(Type.fromObject(request)).finish())) as ICreatePipelineJobRequest;
    expect(fromStruct(decoded.pipelineJob?.pipelineSpec)).toEqual(spec);
    expect(fromStruct({ fields: decoded.pipelineJob?.runtimeConfig?.parameterValues ?? {} }))
      .toEqual({ learning_rate: 0.05, dataset_uri: 'bq://mlops-demo.churn.training' });
  });

  it('shows the trap it avoids: a plain-object spec encodes as an empty struct, and the validator flags it', () => {
    const spec = compiledPipeline();
    const trap = { parent: PARENT, pipelineJob: { displayName: 'x', pipelineSpec: spec, runtimeConfig: { gcsOutputDirectory: 'gs://b/r' } } };
    const Type = protos.google.cloud.aiplatform.v1.CreatePipelineJobRequest;
    const decoded = Type.toObject(Type.decode(Type.encode(Type.fromObject(trap)).finish())) as ICreatePipelineJobRequest;
    expect(decoded.pipelineJob?.pipelineSpec?.fields ?? {}).toEqual({});
    expect(validateRequest('CreatePipelineJobRequest', trap).map((i) => i.code)).toContain('struct-plain-object');
  });

  it('derives a deterministic, Vertex-valid pipelineJobId from pipeline name and run key', () => {
    const first = buildCreatePipelineJobRequest(input()).pipelineJobId;
    expect(buildCreatePipelineJobRequest(input()).pipelineJobId).toBe(first);
    expect(first).toMatch(/^[a-z][a-z0-9-]{0,126}$/);
    expect(first?.startsWith('churn-train-eval-')).toBe(true);
    expect(buildCreatePipelineJobRequest(input({ runKey: '2025-06-02' })).pipelineJobId).not.toBe(first);

    const long = pipelineJobId(`Nightly ${'Very Long '.repeat(30)}Pipeline`, 'run/1');
    expect(long.length).toBeLessThanOrEqual(127);
    expect(long).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    expect(pipelineJobId('2024 pipeline', 'k')).toMatch(/^[a-z]/);
    // Truncation must not make different names collide.
    const prefix = 'x'.repeat(200);
    expect(pipelineJobId(`${prefix}a`, 'k')).not.toBe(pipelineJobId(`${prefix}b`, 'k'));
  });

  it('rejects a non-gs:// output directory', () => {
    expectFieldError(() => buildCreatePipelineJobRequest(input({ gcsOutputDirectory: '/tmp/root' })), 'gcsOutputDirectory', /gs:\/\//);
  });

  it('checks parameters against the pipeline inputs', () => {
    expectFieldError(() => buildCreatePipelineJobRequest(input({ parameterValues: { learning_rat: 0.1, dataset_uri: 'x' } })),
      'parameterValues.learning_rat', /did you mean `learning_rate`/);
    expectFieldError(() => buildCreatePipelineJobRequest(input({ parameterValues: { learning_rate: 0.1 } })),
      'parameterValues.dataset_uri', /required/);
    expectFieldError(() => buildCreatePipelineJobRequest(input({ parameterValues: { learning_rate: '0.1', dataset_uri: 'x' } })),
      'parameterValues.learning_rate', /number/);
    expectFieldError(() => buildCreatePipelineJobRequest(input({ parameterValues: { learning_rate: 0.1, dataset_uri: 'x', epochs: 2.5 } })),
      'parameterValues.epochs', /integer/);
  });

  it('rejects values that are not JSON', () => {
    const withDate = { learning_rate: 0.1, dataset_uri: 'x', epochs: new Date() } as unknown as PipelineJobInput['parameterValues'];
    expectFieldError(() => buildCreatePipelineJobRequest(input({ parameterValues: withDate })), 'parameterValues.epochs', /plain JSON object/);
  });

  it('rejects something that is not a compiled pipeline', () => {
    expectFieldError(() => buildCreatePipelineJobRequest(input({ pipelineSpec: { name: 'x' } as unknown as PipelineJobInput['pipelineSpec'] })), 'pipelineSpec', /compiled KFP/);
  });

  it('validates labels, service account, network and KMS region', () => {
    expectFieldError(() => buildCreatePipelineJobRequest(input({ labels: { Team: 'x' } })), 'labels.Team', /lowercase/);
    expectFieldError(() => buildCreatePipelineJobRequest(input({ labels: { team: 'Churn Team' } })), 'labels.team');
    expectFieldError(() => buildCreatePipelineJobRequest(input({ serviceAccount: 'me@example.com' })), 'serviceAccount');
    expectFieldError(() => buildCreatePipelineJobRequest(input({ network: 'projects/mlops-demo/global/networks/v' })), 'network', /project_number/);
    expectFieldError(() => buildCreatePipelineJobRequest(input({
      encryptionKmsKeyName: 'projects/mlops-demo/locations/europe-west4/keyRings/ml/cryptoKeys/k',
    })), 'encryptionKmsKeyName', /same region/);
  });
});
