// Endpoints through the official Node client, with real model servers (a tiny Python HTTP server
// as custom serving container): create, etag-guarded updates, Vertex's traffic rules on deploy
// and undeploy, predictions routed by the split, and deletes refused while models are deployed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpers } from '@google-cloud/aiplatform';
import { PARENT, callError, startTestVertex } from './support.js';
import type { TestVertex } from './support.js';

// Answers health checks and predictions with its own name (WHO) so tests see where traffic went.
const SERVER = `
import http.server, json, os
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code); self.send_header('content-type', 'application/json'); self.send_header('content-length', str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_GET(self):
        self.reply(200 if self.path == os.environ['AIP_HEALTH_ROUTE'] else 404, {})
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers['content-length'])))
        self.reply(200, {'predictions': [{'who': os.environ['WHO'], 'x': i} for i in body['instances']]})
http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['AIP_HTTP_PORT'])), H).serve_forever()
`;

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex();
});
afterAll(async () => {
  await t.stop();
});

async function uploadModel(who: string): Promise<string> {
  const [operation] = await t.clients.models.uploadModel({
    parent: PARENT,
    modelId: who,
    model: { displayName: who, containerSpec: { imageUri: 'python:3.11', command: ['python3', '-c', SERVER], env: [{ name: 'WHO', value: who }], predictRoute: '/predict', healthRoute: '/health' } },
  });
  const [response] = await operation.promise();
  return String(response.model);
}

const resources = { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1, maxReplicaCount: 1 };

async function deploy(endpoint: string, model: string, trafficSplit: Record<string, number> = {}, id?: string): Promise<string> {
  const [operation] = await t.clients.endpoints.deployModel({ endpoint, deployedModel: { model, ...(id ? { id } : {}), dedicatedResources: resources }, trafficSplit });
  const [response] = await operation.promise();
  return String(response.deployedModel?.id);
}

async function traffic(endpoint: string): Promise<Record<string, number>> {
  const [e] = await t.clients.endpoints.getEndpoint({ name: endpoint });
  return { ...(e.trafficSplit ?? {}) };
}

async function whoAnswers(endpoint: string): Promise<string> {
  const [response] = await t.clients.predictions.predict({ endpoint, instances: [{ numberValue: 1 }] });
  return String((helpers.fromValue(response.predictions![0] as never) as { who: string }).who);
}

describe('endpoints', () => {
  let endpoint = '';
  let blue = '';
  let green = '';
  let red = '';

  it('creates an endpoint as a long-running operation, with a chosen id', async () => {
    const [operation] = await t.clients.endpoints.createEndpoint({ parent: PARENT, endpointId: 'serving', endpoint: { displayName: 'serving', labels: { env: 'test' } } });
    const [created] = await operation.promise();
    endpoint = String(created.name);
    expect(endpoint).toBe(`${PARENT}/endpoints/serving`);
    expect(created.etag).toBeTruthy();
    const duplicate = await callError(t.clients.endpoints.createEndpoint({ parent: PARENT, endpointId: 'serving', endpoint: { displayName: 'again' } }));
    expect(duplicate.code).toBe(6);
    const [listed] = await t.clients.endpoints.listEndpoints({ parent: PARENT });
    expect(listed.map((e) => e.name)).toEqual([endpoint]);
  });

  it('updates with update_mask and refuses a stale etag', async () => {
    const [current] = await t.clients.endpoints.getEndpoint({ name: endpoint });
    const [updated] = await t.clients.endpoints.updateEndpoint({ endpoint: { name: endpoint, displayName: 'renamed', etag: current.etag }, updateMask: { paths: ['display_name'] } });
    expect(updated.displayName).toBe('renamed');
    expect(updated.labels).toEqual({ env: 'test' });
    expect(updated.etag).not.toBe(current.etag);
    const stale = await callError(t.clients.endpoints.updateEndpoint({ endpoint: { name: endpoint, displayName: 'lost', etag: current.etag }, updateMask: { paths: ['display_name'] } }));
    expect(stale.code).toBe(10); // ABORTED
    const noMask = await callError(t.clients.endpoints.updateEndpoint({ endpoint: { name: endpoint, displayName: 'x' } }));
    expect(noMask.code).toBe(3);
    expect(noMask.message).toMatch(/update_mask/);
  });

  it('deploys: the first model takes all traffic, a later one none unless the split says so', async () => {
    [blue = '', green = '', red = ''] = await Promise.all(['blue', 'green', 'red'].map(uploadModel));
    const blueId = await deploy(endpoint, blue);
    expect(blueId).toMatch(/^\d{19}$/);
    expect(await traffic(endpoint)).toEqual({ [blueId]: 100 });
    expect(await whoAnswers(endpoint)).toBe('blue');

    const greenId = await deploy(endpoint, green, {}, '42');
    expect(greenId).toBe('42');
    expect(await traffic(endpoint)).toEqual({ [blueId]: 100 });
    const [model] = await t.clients.models.getModel({ name: green });
    expect(model.deployedModels).toEqual([expect.objectContaining({ endpoint, deployedModelId: '42' })]);

    // "0" is the model being deployed; the split replaces the endpoint's.
    const redId = await deploy(endpoint, red, { '0': 100, [blueId]: 0 }, '7');
    expect(await traffic(endpoint)).toEqual({ '7': 100 });
    expect(redId).toBe('7');
    expect(await whoAnswers(endpoint)).toBe('red');

    const taken = await callError(t.clients.endpoints.deployModel({ endpoint, deployedModel: { model: blue, id: '42', dedicatedResources: resources } }));
    expect(taken.code).toBe(6);
    const badSplit = await callError(t.clients.endpoints.deployModel({ endpoint, deployedModel: { model: blue, dedicatedResources: resources }, trafficSplit: { '0': 50, '999': 50 } }));
    expect(badSplit.code).toBe(3);
    expect(badSplit.message).toMatch(/999 is not deployed/);
    const sum = await callError(t.clients.endpoints.deployModel({ endpoint, deployedModel: { model: blue, dedicatedResources: resources }, trafficSplit: { '0': 50 } }));
    expect(sum.message).toMatch(/must add up to 100, got 50/);
  });

  it('moves traffic with an etag-guarded update and routes predictions by it', async () => {
    const [current] = await t.clients.endpoints.getEndpoint({ name: endpoint });
    const [updated] = await t.clients.endpoints.updateEndpoint({ endpoint: { name: endpoint, trafficSplit: { '42': 100 }, etag: current.etag }, updateMask: { paths: ['traffic_split'] } });
    expect(updated.trafficSplit).toEqual({ '42': 100 });
    expect(await whoAnswers(endpoint)).toBe('green');
    const unknown = await callError(t.clients.endpoints.updateEndpoint({ endpoint: { name: endpoint, trafficSplit: { '1': 100 } }, updateMask: { paths: ['traffic_split'] } }));
    expect(unknown.code).toBe(3);
    const raw = await fetch(`${t.emulator.url}/v1/${endpoint}:rawPredict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [5] }) });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({ predictions: [{ who: 'green', x: 5 }] });
  });

  it('refuses to undeploy a model carrying traffic unless the request moves it', async () => {
    const refused = await callError(t.clients.endpoints.undeployModel({ endpoint, deployedModelId: '42' }));
    expect(refused.code).toBe(9);
    expect(refused.message).toMatch(/carries 100% of the traffic/);
    const [operation] = await t.clients.endpoints.undeployModel({ endpoint, deployedModelId: '42', trafficSplit: { '7': 100 } });
    await operation.promise();
    expect(await traffic(endpoint)).toEqual({ '7': 100 });
    const [model] = await t.clients.models.getModel({ name: green });
    expect(model.deployedModels ?? []).toEqual([]);
    const missing = await callError(t.clients.endpoints.undeployModel({ endpoint, deployedModelId: '42' }));
    expect(missing.code).toBe(5);
  });

  it('refuses to delete an endpoint or a model while models are deployed', async () => {
    const endpointRefused = await callError(t.clients.endpoints.deleteEndpoint({ name: endpoint }));
    expect(endpointRefused.code).toBe(9);
    const modelRefused = await callError(t.clients.models.deleteModel({ name: red }));
    expect(modelRefused.code).toBe(9);
    // Deployed in order blue (0%), red (100%): undeploying blue first leaves red as the last model, which may go.
    const [e] = await t.clients.endpoints.getEndpoint({ name: endpoint });
    for (const deployed of e.deployedModels ?? []) {
      const [operation] = await t.clients.endpoints.undeployModel({ endpoint, deployedModelId: deployed.id! });
      await operation.promise();
    }
    const [operation] = await t.clients.endpoints.deleteEndpoint({ name: endpoint });
    await operation.promise();
    expect((await callError(t.clients.endpoints.getEndpoint({ name: endpoint }))).code).toBe(5);
  });
});
