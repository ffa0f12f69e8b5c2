// The control plane's pure pieces: ids, SQL, caller headers, settings, error mapping, caching.
import { generateKeyPairSync, createSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callerFromHeaders } from '../../control-plane/api/caller.js';
import { googleError } from '../../control-plane/api/google-error.js';
import { ControlPlaneError, isTransient, RetryLater } from '../../control-plane/errors.js';
import { deployedModelIdFor } from '../../control-plane/registry/first-deployment.js';
import { snapshotFolder, snapshotJobId, snapshotQuery } from '../../control-plane/retraining/snapshot.js';
import { readSettings, SettingsError } from '../../control-plane/runtime/settings.js';
import type { ControlPlaneContext } from '../../control-plane/runtime/context.js';
import { approversOf } from '../../control-plane/rollouts/approvers.js';
import { trainingRunId } from '../../control-plane/state/training-runs.js';
import { ModelNotFoundError } from '../../control-plane/config/load-model-specs.js';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { trainingPipeline } from '../../pipelines/definitions/training-pipeline.js';
import { withCaching } from '../../vertex/requests/pipeline-caching.js';

describe('deterministic ids', () => {
  it('training run ids are stable per (model, request), distinct otherwise, and valid in paths', () => {
    const a = trainingRunId('flight-delay', 'schedule-2026-12-02T03:00:00.000Z');
    expect(trainingRunId('flight-delay', 'schedule-2026-12-02T03:00:00.000Z')).toBe(a);
    expect(trainingRunId('flight-delay', 'schedule-2026-12-09T03:00:00.000Z')).not.toBe(a);
    expect(trainingRunId('flight-delay-2', 'schedule-2026-12-02T03:00:00.000Z')).not.toBe(a);
    expect(a).toMatch(/^flight-delay-[a-z0-9-]+$/);
    expect(a.length).toBeLessThanOrEqual(63);
  });

  it('snapshot job ids and folders derive from the request, and BigQuery accepts the id', () => {
    expect(snapshotJobId('m', 'r1')).toBe(snapshotJobId('m', 'r1'));
    expect(snapshotJobId('m', 'r1')).not.toBe(snapshotJobId('m', 'r2'));
    expect(snapshotJobId('m', 'r1')).toMatch(/^[A-Za-z0-9_]{1,1024}$/);
    expect(snapshotFolder('b', 'm', 'a/../../x')).toMatch(/^gs:\/\/b\/snapshots\/m\/[a-z0-9-]+\/$/);
  });

  it('deployed model ids are 10 digits, stable per version', () => {
    const id = deployedModelIdFor('projects/p/locations/l/models/m@1');
    expect(id).toMatch(/^[1-9]\d{9}$/);
    expect(deployedModelIdFor('projects/p/locations/l/models/m@1')).toBe(id);
    expect(deployedModelIdFor('projects/p/locations/l/models/m@2')).not.toBe(id);
  });
});

describe('snapshotQuery', () => {
  it('a table source selects the features and the target, sampling through a query parameter', () => {
    const q = snapshotQuery({ table: 'p.d.t', target: 'y', features: ['a', 'b'], sampleFraction: 0.25 });
    expect(q.sql).toBe('SELECT `a`, `b`, `y` FROM `p.d.t` WHERE RAND() < @sample_fraction');
    expect(q.params).toEqual({ sample_fraction: 0.25 });
    expect(q.types).toEqual({ sample_fraction: 'FLOAT64' });
  });

  it("a query source keeps the spec's parameters as parameters, never in the SQL", () => {
    const q = snapshotQuery({ query: "SELECT * FROM d.t WHERE day >= @since;", parameters: { since: { type: 'DATE', value: "2024-01-01' OR 1=1" } }, target: 'y', features: ['a'] });
    expect(q.sql).not.toContain('OR 1=1');
    expect(q.sql).not.toContain(';');
    expect(q.params).toEqual({ since: { value: "2024-01-01' OR 1=1" } });
    expect(q.types).toEqual({ since: 'DATE' });
  });
});

describe('callerFromHeaders', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwt = (claims: object) => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
    return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
  };

  it('reads the Scheduler job, its scheduled time and the token email', () => {
    const caller = callerFromHeaders({
      'x-cloudscheduler-jobname': 'retrain-flight-delay',
      'x-cloudscheduler-scheduletime': '2026-12-02T03:00:00+00:00',
      authorization: `Bearer ${jwt({ email: 'scheduler@p.iam.gserviceaccount.com', aud: 'x' })}`,
    });
    expect(caller).toEqual({ schedule: { job: 'retrain-flight-delay', time: '2026-12-02T03:00:00.000Z' }, email: 'scheduler@p.iam.gserviceaccount.com' });
  });

  it('ignores malformed headers instead of failing', () => {
    expect(callerFromHeaders({ 'x-cloudscheduler-jobname': 'j', 'x-cloudscheduler-scheduletime': 'yesterday', authorization: 'Bearer not.a-token' })).toEqual({});
    expect(callerFromHeaders({ authorization: `Bearer ${Buffer.from('{').toString('base64url')}.${Buffer.from('{').toString('base64url')}.x` })).toEqual({});
  });
});

describe('readSettings', () => {
  it('defaults the buckets from the project and refuses a bad variable by name', () => {
    expect(readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_ENVIRONMENT: 'prod' })).toMatchObject({
      projectId: 'my-project',
      environment: 'prod',
      region: 'us-central1',
      stateBucket: 'my-project-mlops-state',
      pipelineBucket: 'my-project-pipelines',
    });
    expect(() => readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_ENVIRONMENT: 'staging' })).toThrow(/MLOPS_ENVIRONMENT/);
    expect(() => readSettings({})).toThrow(SettingsError);
  });

  it("reads the deployment's approvers (MLOPS_APPROVERS), honoured besides a spec's, and refuses a non-email by name", () => {
    const settings = readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_ENVIRONMENT: 'prod', MLOPS_APPROVERS: 'Ops@example.com, lead@example.com' });
    expect(settings.approvers).toEqual(['Ops@example.com', 'lead@example.com']);
    const ctx = { settings } as unknown as ControlPlaneContext;
    expect(approversOf(ctx, { approvals: { deployment: 'required', approvers: ['lead@example.com', 'ops@example.com', 'ml@example.com'] } })).toEqual(['lead@example.com', 'ops@example.com', 'ml@example.com']);
    expect(approversOf({ settings: readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project' }) } as unknown as ControlPlaneContext, { approvals: { deployment: 'none', approvers: ['a@example.com'] } })).toEqual(['a@example.com']);
    expect(() => readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_APPROVERS: 'ml-lead' })).toThrow(/MLOPS_APPROVERS/);
  });
});

describe('googleError', () => {
  it('maps refusals to 4xx with Google status names and field violations', () => {
    const zod = z.strictObject({ reason: z.string() }).safeParse({ reason: 1, extra: true });
    const bad = googleError(zod.error);
    expect(bad.httpStatus).toBe(400);
    expect(bad.body.error.status).toBe('INVALID_ARGUMENT');
    expect(JSON.stringify(bad.body.error.details)).toContain('"field":"reason"');
    expect(JSON.stringify(bad.body.error.details)).toContain('"field":"extra"');
    expect(googleError(new ModelNotFoundError('flight-dleay', 'flight-delay')).body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(googleError(new ModelNotFoundError('flight-dleay', 'flight-delay')).body.error.message).toContain("did you mean 'flight-delay'");
    expect(googleError(Object.assign(new Error('5 NOT_FOUND: Model x not found.'), { code: 5 })).body.error).toMatchObject({ code: 404, message: 'Model x not found.' });
  });

  it('never shows an unexpected error to the caller', () => {
    const internal = googleError(new Error('secret stack detail'));
    expect(internal.httpStatus).toBe(500);
    expect(internal.body.error.message).not.toContain('secret');
  });
});

describe('isTransient', () => {
  it('retries 429/5xx, gRPC UNAVAILABLE/DEADLINE_EXCEEDED/RESOURCE_EXHAUSTED, network errors and RetryLater; not 4xx', () => {
    for (const e of [{ code: 429 }, { code: 503 }, { code: 14 }, { code: 4 }, { code: 8 }, { code: 'ECONNRESET' }, new RetryLater('x')]) expect(isTransient(e)).toBe(true);
    for (const e of [{ code: 400 }, { code: 404 }, { code: 3 }, { code: 5 }, { code: 6 }, new ControlPlaneError('INVALID_ARGUMENT', 'x'), new Error('x')]) expect(isTransient(e)).toBe(false);
  });
});

describe('withCaching', () => {
  it('sets enableCache on every task of every DAG and leaves the input alone', () => {
    const spec = compilePipeline(trainingPipeline());
    const off = withCaching(spec, false);
    const tasks = [off.root, ...Object.values(off.components ?? {})].flatMap((c) => Object.values(c.dag?.tasks ?? {}));
    expect(tasks.length).toBeGreaterThan(5);
    expect(tasks.every((t) => t.cachingOptions?.enableCache === false)).toBe(true);
    const original = [spec.root, ...Object.values(spec.components ?? {})].flatMap((c) => Object.values(c.dag?.tasks ?? {}));
    expect(original.some((t) => t.cachingOptions?.enableCache === true)).toBe(true);
  });
});
