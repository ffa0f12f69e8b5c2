import { PubSub } from '@google-cloud/pubsub';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment, parseEmulatorHost } from './environment.js';

export function pubSubClient(ce: ClientEnvironment = clientEnvironment()): PubSub {
  // The client reads PUBSUB_EMULATOR_HOST itself; passing it explicitly keeps the env object honoured in tests.
  const host = ce.env.PUBSUB_EMULATOR_HOST;
  if (host) {
    const { host: h, port } = parseEmulatorHost(host);
    return new PubSub({ projectId: ce.projectId, apiEndpoint: `${h}:${port}`, emulatorMode: true });
  }
  return new PubSub({ projectId: ce.projectId });
}
