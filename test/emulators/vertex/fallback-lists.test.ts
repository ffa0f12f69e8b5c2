// Lists inside lists through the official client's REST fallback: what google-gax puts on the
// wire for them (objects keyed "0", "1", …) and the emulator turning that back into lists.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { v1 } from '@google-cloud/aiplatform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vertexClientOptions } from '../../../google-clients/index.js';
import { restoreFallbackLists } from '../../../emulators/vertex/api/fallback-lists.js';
import type { JsonValue } from '../../../vertex/shared/struct.js';
import { toProtoValue } from '../../../vertex/shared/struct.js';

process.env.METADATA_SERVER_DETECTION = 'none';

const INSTANCES: JsonValue[] = [
  [1, 'a'],
  [[1, 2], [3, [4, [5]]]],
  { features: [[1, null], [true, { deep: [['x']] }]], n: 3 },
  [{ '0': 'a struct keyed "0" inside a list element' }],
  'plain',
  null,
];
const PARAMETERS: JsonValue = { thresholds: [[0.1, 0.9]], flag: false };

describe('the Node REST fallback and lists inside lists', () => {
  let received: Record<string, unknown> | undefined;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received = JSON.parse(text) as Record<string, unknown>;
      res.setHeader('content-type', 'application/json');
      res.end('{"predictions": []}');
    });
  });
  let client: InstanceType<typeof v1.PredictionServiceClient>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new v1.PredictionServiceClient(vertexClientOptions('us-central1', { projectId: 'p', env: { VERTEX_EMULATOR_HOST: `127.0.0.1:${port}` } }));
  });
  afterAll(async () => {
    await client.close();
    server.close();
  });

  it('sends lists inside lists as objects keyed by index, which the emulator restores', async () => {
    await client.predict({
      endpoint: 'projects/p/locations/us-central1/endpoints/1',
      instances: INSTANCES.map((instance, i) => toProtoValue(instance, `instances[${i}]`)),
      parameters: toProtoValue(PARAMETERS, 'parameters'),
    });
    const instances = received?.instances as unknown[];
    // What google-gax 6 sends: if this starts failing, the client was fixed and the restore may go.
    expect(instances[0]).toEqual({ '0': 1, '1': 'a' });
    expect(received?.parameters).toEqual({ thresholds: [{ '0': 0.1, '1': 0.9 }], flag: false });
    expect(restoreFallbackLists(instances)).toEqual(INSTANCES);
    expect(restoreFallbackLists(received?.parameters)).toEqual(PARAMETERS);
  });
});

describe('restoreFallbackLists', () => {
  it('keeps objects that are not list elements or not keyed exactly 0..n-1', () => {
    const kept = { '0': 'a', '1': 'b' };
    expect(restoreFallbackLists({ kept })).toEqual({ kept });
    expect(restoreFallbackLists([{ '1': 'a' }, { '0': 'a', '2': 'b' }, { '0': 'a', x: 1 }, {}, { '00': 1 }])).toEqual([{ '1': 'a' }, { '0': 'a', '2': 'b' }, { '0': 'a', x: 1 }, {}, { '00': 1 }]);
    expect(restoreFallbackLists([{ '0': 'a', '1': { '0': 'b' } }])).toEqual([['a', { '0': 'b' }]]);
    expect(restoreFallbackLists([1, 'a', true, null])).toEqual([1, 'a', true, null]);
  });
});
