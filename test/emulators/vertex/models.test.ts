// The Model Registry through the official Node client: uploads as long-running operations,
// versions under parentModel, the `default` alias rule, version aliases, evaluations, deletes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpers } from '@google-cloud/aiplatform';
import { PARENT, callError, rest, startTestVertex } from './support.js';
import type { TestVertex } from './support.js';

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex();
});
afterAll(async () => {
  await t.stop();
});

const containerSpec = { imageUri: 'python:3.11', command: ['python3', '-m', 'http.server'] };

async function upload(request: Record<string, unknown>): Promise<{ model: string; modelVersionId: string }> {
  const [operation] = await t.clients.models.uploadModel({ parent: PARENT, ...request });
  expect(operation.name).toMatch(/^projects\/local-project\/locations\/us-central1\/models\/[^/]+\/operations\/\d+$/);
  const [response] = await operation.promise();
  return { model: String(response.model), modelVersionId: String(response.modelVersionId) };
}

describe('model versions and aliases', () => {
  let name = '';

  it('uploads a model (first version takes "default") and more versions under parentModel', async () => {
    const first = await upload({ modelId: 'churn', model: { displayName: 'churn', containerSpec, versionAliases: ['champion'], labels: { team: 'ml' }, metadata: helpers.toValue({ auc: 0.91 }) } });
    name = first.model;
    expect(name).toBe(`${PARENT}/models/churn`);
    expect(first.modelVersionId).toBe('1');
    const second = await upload({ parentModel: name, model: { displayName: 'churn', containerSpec, versionAliases: ['challenger'] } });
    expect(second).toEqual({ model: name, modelVersionId: '2' });
    const [model] = await t.clients.models.getModel({ name });
    expect(model.versionId).toBe('1');
    expect([...(model.versionAliases ?? [])].sort()).toEqual(['champion', 'default']);
    expect(helpers.fromValue(model.metadata as never)).toEqual({ auc: 0.91 });
    const [byVersion] = await t.clients.models.getModel({ name: `${name}@2` });
    expect(byVersion.versionAliases).toEqual(['challenger']);
    const [byAlias] = await t.clients.models.getModel({ name: `${name}@challenger` });
    expect(byAlias.versionId).toBe('2');
  });

  it('moves "default" only when a new version asks for it, and moves aliases between versions', async () => {
    const third = await upload({ parentModel: name, model: { displayName: 'churn', containerSpec, versionAliases: ['default', 'champion'] } });
    expect(third.modelVersionId).toBe('3');
    const [versions] = await t.clients.models.listModelVersions({ name });
    expect(versions.map((v) => [v.versionId, [...(v.versionAliases ?? [])].sort()])).toEqual([
      ['1', []],
      ['2', ['challenger']],
      ['3', ['champion', 'default']],
    ]);
    const [listed] = await t.clients.models.listModels({ parent: PARENT });
    expect(listed.map((m) => [m.name, m.versionId])).toEqual([[name, '3']]);
  });

  it('merges aliases: adds, removes with "-", never removes "default"', async () => {
    const [merged] = await t.clients.models.mergeVersionAliases({ name: `${name}@1`, versionAliases: ['stable', 'challenger', 'default'] });
    expect([...(merged.versionAliases ?? [])].sort()).toEqual(['challenger', 'default', 'stable']);
    const [two] = await t.clients.models.getModel({ name: `${name}@2` });
    expect(two.versionAliases ?? []).toEqual([]);
    const [removed] = await t.clients.models.mergeVersionAliases({ name: `${name}@1`, versionAliases: ['-stable'] });
    expect([...(removed.versionAliases ?? [])].sort()).toEqual(['challenger', 'default']);
    const refused = await callError(t.clients.models.mergeVersionAliases({ name: `${name}@1`, versionAliases: ['-default'] }));
    expect(refused.code).toBe(3);
    expect(refused.message).toMatch(/"default" alias cannot be removed/);
    const badAlias = await callError(t.clients.models.mergeVersionAliases({ name: `${name}@1`, versionAliases: ['42'] }));
    expect(badAlias.code).toBe(3);
  });

  it('imports, lists and gets evaluations of a version', async () => {
    const [evaluation] = await t.clients.models.importModelEvaluation({
      parent: `${name}@1`,
      modelEvaluation: {
        displayName: 'holdout',
        metricsSchemaUri: 'gs://google-cloud-aiplatform/schema/modelevaluation/classification_metrics_1.0.0.yaml',
        metrics: helpers.toValue({ auRoc: 0.93, logLoss: 0.2 }),
      },
    });
    expect(evaluation.name).toMatch(new RegExp(`^${name}/evaluations/\\d+$`));
    const [listed] = await t.clients.models.listModelEvaluations({ parent: name });
    expect(listed.map((e) => e.name)).toEqual([evaluation.name]);
    const [other] = await t.clients.models.listModelEvaluations({ parent: `${name}@2` });
    expect(other).toEqual([]);
    const [got] = await t.clients.models.getModelEvaluation({ name: evaluation.name! });
    expect(helpers.fromValue(got.metrics as never)).toEqual({ auRoc: 0.93, logLoss: 0.2 });
  });

  it('answers 404 and 409 as Vertex does', async () => {
    expect((await callError(t.clients.models.getModel({ name: `${PARENT}/models/nope` }))).code).toBe(5);
    expect((await callError(t.clients.models.getModel({ name: `${name}@9` }))).code).toBe(5);
    expect((await callError(t.clients.models.getModel({ name: `${name}@nosuchalias` }))).code).toBe(5);
    const duplicate = await callError(t.clients.models.uploadModel({ parent: PARENT, modelId: 'churn', model: { displayName: 'x', containerSpec } }));
    expect(duplicate.code).toBe(6);
    const orphan = await callError(t.clients.models.uploadModel({ parent: PARENT, parentModel: `${PARENT}/models/ghost`, model: { displayName: 'x', containerSpec } }));
    expect(orphan.code).toBe(5);
  });

  it('rejects uploads with unknown fields or without a serving container', async () => {
    const { status, json } = await rest(t.emulator, 'POST', `/v1/${PARENT}/models:upload`, { model: { displayName: 'x', containerSpec: { imageUri: 'python:3.11', predictRoutes: '/p' } } });
    expect(status).toBe(400);
    expect((json.error as { message: string }).message).toBe(`Invalid JSON payload received. Unknown name "predictRoutes" at 'model.container_spec': Cannot find field.`);
    const noContainer = await callError(t.clients.models.uploadModel({ parent: PARENT, model: { displayName: 'x' } }));
    expect(noContainer.code).toBe(3);
    expect(noContainer.message).toMatch(/model\.container_spec is required/);
    const prebuilt = await callError(t.clients.models.uploadModel({ parent: PARENT, model: { displayName: 'x', containerSpec: { imageUri: 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-5:latest' } } }));
    expect(prebuilt.message).toMatch(/model\.artifact_uri is required/);
  });

  it('refuses to delete the default version, deletes another version, then the whole model', async () => {
    const refused = await callError(t.clients.models.deleteModelVersion({ name: `${name}@1` }));
    expect(refused.code).toBe(9);
    const [versionOp] = await t.clients.models.deleteModelVersion({ name: `${name}@2` });
    await versionOp.promise();
    const [versions] = await t.clients.models.listModelVersions({ name });
    expect(versions.map((v) => v.versionId)).toEqual(['1', '3']);
    const [operation] = await t.clients.models.deleteModel({ name });
    await operation.promise();
    expect((await callError(t.clients.models.getModel({ name }))).code).toBe(5);
    expect((await callError(t.clients.models.listModelEvaluations({ parent: name }))).code).toBe(5);
  });

  it('serves operations at /v1 and /ui (where the Node client polls)', async () => {
    const [operation] = await t.clients.models.uploadModel({ parent: PARENT, model: { displayName: 'numeric', containerSpec } });
    await operation.promise();
    for (const prefix of ['/v1', '/ui']) {
      const { status, json } = await rest(t.emulator, 'GET', `${prefix}/${operation.name}`);
      expect(status).toBe(200);
      expect(json.done).toBe(true);
      expect((json.metadata as Record<string, unknown>)['@type']).toBe('type.googleapis.com/google.cloud.aiplatform.v1.UploadModelOperationMetadata');
      expect((json.response as Record<string, unknown>)['@type']).toBe('type.googleapis.com/google.cloud.aiplatform.v1.UploadModelResponse');
      expect((json.response as Record<string, unknown>).model).toMatch(/\/models\/\d{19}$/);
    }
  });
});
