// Shared setup for the Vertex emulator tests: an emulator on a free port over temporary data and
// storage directories, and the official Node clients pointed at it the way the product builds them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v1 } from '@google-cloud/aiplatform';
import { vertexClientOptions } from '../../../google-clients/index.js';
import type { VertexEmulator, VertexEmulatorOptions } from '../../../emulators/vertex/server.js';
import { startVertexEmulator } from '../../../emulators/vertex/server.js';

process.env.METADATA_SERVER_DETECTION = 'none';

export const PROJECT = 'local-project';
export const LOCATION = 'us-central1';
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

/** A custom serving container (Vertex's contract) that predicts twice each instance. */
export const DOUBLING_SERVER = `
import http.server, json, os
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200); self.send_header('content-length', '2'); self.end_headers(); self.wfile.write(b'{}')
    def do_POST(self):
        n = json.loads(self.rfile.read(int(self.headers['content-length'])))['instances']
        data = json.dumps({'predictions': [x * 2 for x in n]}).encode()
        self.send_response(200); self.send_header('content-type', 'application/json'); self.send_header('content-length', str(len(data))); self.end_headers(); self.wfile.write(data)
http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['AIP_HTTP_PORT'])), H).serve_forever()
`;

export interface Clients {
  jobs: InstanceType<typeof v1.JobServiceClient>;
  pipelines: InstanceType<typeof v1.PipelineServiceClient>;
  models: InstanceType<typeof v1.ModelServiceClient>;
  endpoints: InstanceType<typeof v1.EndpointServiceClient>;
  predictions: InstanceType<typeof v1.PredictionServiceClient>;
}

export interface TestVertex {
  emulator: VertexEmulator;
  clients: Clients;
  dataDir: string;
  storageRoot: string;
  /** Stops clients and emulator (and, unless `keepData`, removes the directories). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** A new emulator on the same directories (after `stop({keepData: true})`). */
  restart(): Promise<TestVertex>;
}

export function clientsFor(port: number): Clients {
  const options = vertexClientOptions(LOCATION, { projectId: PROJECT, env: { VERTEX_EMULATOR_HOST: `127.0.0.1:${port}` } });
  return {
    jobs: new v1.JobServiceClient(options),
    pipelines: new v1.PipelineServiceClient(options),
    models: new v1.ModelServiceClient(options),
    endpoints: new v1.EndpointServiceClient(options),
    predictions: new v1.PredictionServiceClient(options),
  };
}

export async function startTestVertex(
  dirs: { dataDir?: string; storageRoot?: string } = {},
  extra: Partial<VertexEmulatorOptions> = {},
): Promise<TestVertex> {
  const dataDir = dirs.dataDir ?? mkdtempSync(join(tmpdir(), 'vertex-emulator-'));
  const storageRoot = dirs.storageRoot ?? mkdtempSync(join(tmpdir(), 'vertex-gcs-'));
  const emulator = await startVertexEmulator({ dataDir, storageRoot, ...extra });
  const clients = clientsFor(emulator.port);
  const env: TestVertex = {
    emulator,
    clients,
    dataDir,
    storageRoot,
    stop: async ({ keepData = false } = {}) => {
      await Promise.all(Object.values(clients).map((c: { close(): Promise<void> }) => c.close()));
      await emulator.close();
      if (!keepData) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(storageRoot, { recursive: true, force: true });
      }
    },
    restart: () => startTestVertex({ dataDir, storageRoot }, extra),
  };
  return env;
}

/** Error fields the client puts on a failed call. */
export interface ClientError {
  code: number;
  message: string;
  details?: unknown;
  statusDetails?: unknown[];
}

export async function callError(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the call to fail');
}

/** Polls `read` until `done` holds (or throws after `timeoutMs`). */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${String(JSON.stringify(value)).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Raw REST calls (what curl or gcloud send). */
export async function rest(emulator: VertexEmulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
