// Every Google client is built here, and only here. Each honours Google's `*_EMULATOR_HOST`
// convention (and ours: VERTEX_EMULATOR_HOST, MONITORING_EMULATOR_HOST); nothing else in the
// control plane knows whether it talks to Google Cloud or to the local cloud.
import { BigQuery } from '@google-cloud/bigquery';
import { MetricServiceClient } from '@google-cloud/monitoring';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import type { StorageOptions } from '@google-cloud/storage';
import { v1 as aiplatform } from '@google-cloud/aiplatform';
import { OAuth2Client } from 'google-auth-library';

type RetryOptions = NonNullable<StorageOptions['retryOptions']>;

export interface ClientEnvironment {
  readonly projectId: string;
  readonly env: NodeJS.ProcessEnv;
}

export function clientEnvironment(env: NodeJS.ProcessEnv = process.env): ClientEnvironment {
  const projectId = env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT;
  if (!projectId) throw new Error('GOOGLE_CLOUD_PROJECT is not set');
  return { projectId, env };
}

/** `host:port` or `http://host:port` → parts; emulators speak plain HTTP on loopback. */
function parseEmulatorHost(value: string): { host: string; port: number; url: string } {
  const url = new URL(/^https?:\/\//.test(value) ? value : `http://${value}`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host: url.hostname, port, url: `${url.protocol}//${url.hostname}:${port}` };
}

/** Emulators accept any token; a fixed one keeps clients from hunting for default credentials. */
function emulatorAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'local-emulator-token', expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
  return client;
}

/** `retryOptions` tunes the client's own retries (download-object.ts turns them off for media reads). */
export function storageClient(ce: ClientEnvironment = clientEnvironment(), retryOptions?: RetryOptions): Storage {
  const host = ce.env.STORAGE_EMULATOR_HOST;
  const retry = retryOptions === undefined ? {} : { retryOptions };
  if (host) return new Storage({ projectId: ce.projectId, apiEndpoint: parseEmulatorHost(host).url, authClient: emulatorAuth(), ...retry });
  return new Storage({ projectId: ce.projectId, ...retry });
}

export function bigQueryClient(ce: ClientEnvironment = clientEnvironment()): BigQuery {
  const host = ce.env.BIGQUERY_EMULATOR_HOST;
  if (host) return new BigQuery({ projectId: ce.projectId, apiEndpoint: parseEmulatorHost(host).url, authClient: emulatorAuth() });
  return new BigQuery({ projectId: ce.projectId });
}

export function pubSubClient(ce: ClientEnvironment = clientEnvironment()): PubSub {
  // The client reads PUBSUB_EMULATOR_HOST itself; passing it explicitly keeps the env object honoured in tests.
  const host = ce.env.PUBSUB_EMULATOR_HOST;
  if (host) {
    const { host: h, port } = parseEmulatorHost(host);
    return new PubSub({ projectId: ce.projectId, apiEndpoint: `${h}:${port}`, emulatorMode: true });
  }
  return new PubSub({ projectId: ce.projectId });
}

export function metricServiceClient(ce: ClientEnvironment = clientEnvironment()): MetricServiceClient {
  const host = ce.env.MONITORING_EMULATOR_HOST;
  if (host) {
    const { host: h, port } = parseEmulatorHost(host);
    return new MetricServiceClient({ apiEndpoint: h, port, protocol: 'http', fallback: 'rest', authClient: emulatorAuth(), projectId: ce.projectId });
  }
  return new MetricServiceClient({ projectId: ce.projectId });
}

type GaxOptions = {
  apiEndpoint: string;
  port?: number;
  protocol?: 'http';
  fallback?: 'rest';
  authClient?: OAuth2Client;
  projectId: string;
};

/** Options for any regional Vertex AI client: `<region>-aiplatform.googleapis.com`, or the emulator. */
export function vertexClientOptions(region: string, ce: ClientEnvironment = clientEnvironment()): GaxOptions {
  const host = ce.env.VERTEX_EMULATOR_HOST;
  if (host) {
    const { host: h, port } = parseEmulatorHost(host);
    return { apiEndpoint: h, port, protocol: 'http', fallback: 'rest', authClient: emulatorAuth(), projectId: ce.projectId };
  }
  return { apiEndpoint: `${region}-aiplatform.googleapis.com`, projectId: ce.projectId };
}

export function vertexClients(region: string, ce: ClientEnvironment = clientEnvironment()) {
  const options = vertexClientOptions(region, ce);
  return {
    pipelines: new aiplatform.PipelineServiceClient(options),
    jobs: new aiplatform.JobServiceClient(options),
    models: new aiplatform.ModelServiceClient(options),
    endpoints: new aiplatform.EndpointServiceClient(options),
    predictions: new aiplatform.PredictionServiceClient(options),
  };
}
