// gcloud's operations client polls `/v1beta1/{operation}` even for GA commands (issue 7): the
// emulator answers there as Vertex's v1beta1 surface does, with v1beta1 type URLs, and keeps v1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARENT, startTestVertex } from './support.js';
import type { TestVertex } from './support.js';

let t: TestVertex;
let operationName: string;

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.emulator.url}${path}?alt=json`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('operations under v1beta1', () => {
  beforeAll(async () => {
    t = await startTestVertex();
    const [operation] = await t.clients.endpoints.createEndpoint({ parent: PARENT, endpointId: 'ops', endpoint: { displayName: 'ops' } });
    operationName = operation.name!;
    await operation.promise();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('serves GET, :wait and list under /v1beta1 with v1beta1 types, and /v1 with v1 types', async () => {
    const beta = await getJson(`/v1beta1/${operationName}`);
    expect(beta.status).toBe(200);
    expect(beta.body).toEqual(
      expect.objectContaining({
        name: operationName,
        done: true,
        metadata: expect.objectContaining({ '@type': 'type.googleapis.com/google.cloud.aiplatform.v1beta1.CreateEndpointOperationMetadata' }) as unknown,
        response: expect.objectContaining({ '@type': 'type.googleapis.com/google.cloud.aiplatform.v1beta1.Endpoint', name: `${PARENT}/endpoints/ops` }) as unknown,
      }),
    );
    const ga = await getJson(`/v1/${operationName}`);
    expect(ga.body.response).toEqual(expect.objectContaining({ '@type': 'type.googleapis.com/google.cloud.aiplatform.v1.Endpoint' }));

    const waited = await fetch(`${t.emulator.url}/v1beta1/${operationName}:wait`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"timeout":"1s"}' });
    const waitedBody = (await waited.json()) as { metadata: { '@type': string } };
    expect(waitedBody.metadata['@type']).toContain('.v1beta1.');
    const listed = await getJson(`/v1beta1/${PARENT}/endpoints/ops/operations`);
    const operations = listed.body.operations as { name: string; metadata: { '@type': string } }[];
    expect(operations.map((o) => [o.name, o.metadata['@type']])).toEqual([[operationName, 'type.googleapis.com/google.cloud.aiplatform.v1beta1.CreateEndpointOperationMetadata']]);
    expect((await getJson(`/v1beta1/${PARENT}/endpoints/ops/operations/404`)).status).toBe(404);
  });
});
