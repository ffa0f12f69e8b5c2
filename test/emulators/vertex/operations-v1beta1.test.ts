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
        metadata: expect.objectContaining({ '@type': 'type.googleapis.com/google.cloud.aiplatform.v1beta1.CreateEndpointOperationMetadata' }),
        response: expect.objectContaining({ '@type': 'type.googleapis.com/google.cloud.aiplatform.v1beta1.Endpoint', name: `${PARENT}/endpoints/ops` }),
      }),
    );
    const ga = await getJson(`/v1/${operationName}`);
    expect(ga.body).toEqual(expect.objectContaining({ response: expect.objectContaining({ '@type': 'type.googleapis.com/google.cloud.aiplatform.v1.Endpoint' }) }));

    const waited = await fetch(`${t.emulator.url}/v1beta1/${operationName}:wait`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"timeout":"1s"}' });
    expect(await waited.json()).toEqual(expect.objectContaining({ metadata: expect.objectContaining({ '@type': expect.stringContaining('.v1beta1.') }) }));
    const listed = await getJson(`/v1beta1/${PARENT}/endpoints/ops/operations`);
    expect(listed.body.operations).toEqual([expect.objectContaining({ name: operationName, metadata: expect.objectContaining({ '@type': expect.stringContaining('.v1beta1.') }) })]);
    expect((await getJson(`/v1beta1/${PARENT}/endpoints/ops/operations/404`)).status).toBe(404);
  });
});
