// Custom serving containers (any image the launcher maps) and the start-up edge cases, with
// nothing but Python's standard library in the "container".
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalContainerLauncher } from '../../../emulators/vertex/containers/index.js';
import { EndpointRuntime } from '../../../emulators/vertex/serving/index.js';
import { PYTHON, endpointResource, modelResource, tempDir } from './support.js';

const IMAGE = 'python:3.12-slim';
const ENDPOINT = 'projects/local-project/locations/us-central1/endpoints/500';

describe.skipIf(!existsSync(PYTHON))('EndpointRuntime with custom containers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let runtime: EndpointRuntime;

  beforeAll(async () => {
    dir = await tempDir('vertex-serving-custom-');
    runtime = new EndpointRuntime({
      launcher: new LocalContainerLauncher({ storageRoot: join(dir.path, 'gcs'), killGraceMs: 500 }),
      storageRoot: join(dir.path, 'gcs'),
      logDir: join(dir.path, 'logs'),
      env: { GOOGLE_CLOUD_PROJECT: 'local-project' },
      startupTimeoutMs: 1_500,
    });
  });

  afterAll(async () => {
    await runtime?.stopAll();
    await dir?.remove();
  });

  it('starts a custom container with $(AIP_HTTP_PORT) expanded and its own health route', async () => {
    const model = modelResource('60', '', IMAGE, {
      command: ['python3', '-m', 'http.server'],
      args: ['--bind', '127.0.0.1', '$(AIP_HTTP_PORT)'],
      healthRoute: '/',
      predictRoute: '/predict',
    });
    delete model.artifactUri;
    await runtime.deploy(ENDPOINT, '6', model);
    // http.server answers POST with 501: the error comes back in Google's shape.
    const result = await runtime.predict(endpointResource('500', { '6': 100 }, [{ id: '6', model: '60' }]), { instances: [1] }, { raw: false });
    expect(result).toMatchObject({ status: 501, deployedModelId: '6', body: { error: { code: 501, status: 'UNIMPLEMENTED' } } });
    await runtime.undeploy(ENDPOINT, '6');
  });

  it('gives up on a server that never becomes healthy, with its log', async () => {
    const model = modelResource('61', '', IMAGE, { command: ['python3', '-c', 'print("warming up", flush=True); import time; time.sleep(60)'] });
    delete model.artifactUri;
    const started = Date.now();
    await expect(runtime.deploy(ENDPOINT, '7', model)).rejects.toMatchObject({ message: expect.stringMatching(/within 1500 ms[\s\S]*warming up/) as unknown });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(runtime.describe(ENDPOINT, '7')).toBeUndefined();
  });

  it('undeploy stops a server that is still starting', async () => {
    const model = modelResource('62', '', IMAGE, { command: ['python3', '-c', 'import time; time.sleep(60)'] });
    delete model.artifactUri;
    const deploying = runtime.deploy(ENDPOINT, '8', model);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runtime.undeploy(ENDPOINT, '8');
    await expect(deploying).rejects.toMatchObject({ code: 409, message: expect.stringMatching(/undeployed before it became ready/) as unknown });
  });

  it('refuses a second deploy of a live deployed model id and images without a local mapping', async () => {
    const model = modelResource('63', '', IMAGE, { command: ['python3', '-m', 'http.server'], args: ['--bind', '127.0.0.1', '$(AIP_HTTP_PORT)'], healthRoute: '/' });
    delete model.artifactUri;
    await runtime.deploy(ENDPOINT, '9', model);
    await expect(runtime.deploy(ENDPOINT, '9', model)).rejects.toMatchObject({ code: 409 });
    await runtime.undeploy(ENDPOINT, '9');
    await expect(runtime.deploy(ENDPOINT, '10', modelResource('64', '', 'gcr.io/acme/server:1'))).rejects.toMatchObject({ code: 400, message: expect.stringMatching(/no local mapping/) as unknown });
  });
});
