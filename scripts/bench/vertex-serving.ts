// Online predictions on the local cloud: a tiny scikit-learn regression trained by the host's
// Python into the storage root, uploaded with the prebuilt sklearn image, deployed to an endpoint
// on dedicated resources; then predictions per second and latency through
// PredictionServiceClient.predict, through the emulator's REST route, and straight to the model
// server's port (found in its log line "serving").
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCloud } from '../../emulators/launcher/local-cloud.js';
import { vertexClients } from '../../google-clients/index.js';
import { buildDeployModelRequest } from '../../vertex/requests/deploy-model.js';
import { buildCreateEndpointRequest } from '../../vertex/requests/endpoint.js';
import { SKLEARN_1_5_CPU } from '../../vertex/requests/prebuilt-containers.js';
import { buildUploadModelRequest } from '../../vertex/requests/upload-model.js';
import { toProtoValue } from '../../vertex/shared/struct.js';
import { log } from '../log.js';
import type { LoadResult } from './vertex-stats.js';
import { latencySummary, median, round } from './stats.js';
import { closedLoop, timed } from './vertex-stats.js';

const PYTHON = '/usr/bin/python3';
const LOCATION = 'us-central1';
const BUCKET = 'bench-models';
const MODEL_PATH = 'models/bench-reg';
const SEQUENTIAL_MS = 5_000;
const CONCURRENT_MS = 3_000;
const CONCURRENCY = 4;
const WARMUP_REQUESTS = 50;

// LinearRegression on three numeric features, in the layout the prebuilt sklearn server loads
// (model.joblib; input_schema.json names the features so object instances work too).
const TRAIN = String.raw`
import json, sys
from pathlib import Path
import numpy as np, joblib
from sklearn.linear_model import LinearRegression
d = Path(sys.argv[1]); d.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)
X = rng.uniform(-5, 5, size=(200, 3)); y = 2 * X[:, 0] - 3 * X[:, 1] + 0.5 * X[:, 2] + 5 + rng.normal(0, 0.1, 200)
joblib.dump(LinearRegression().fit(X, y), d / "model.joblib")
names = ["x1", "x2", "x3"]
(d / "input_schema.json").write_text(json.dumps({"feature_names": names,
    "features": [{"name": n, "index": i, "type": "numeric"} for i, n in enumerate(names)]}))
`;

/** Why the model cannot be trained here, or undefined when it can. */
function pythonUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, joblib, numpy'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return `${PYTHON} -c "import sklearn" failed: ${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`}`;
}

/** Port and predict route from the model server's `serving` log line. */
function servingAddress(logFile: string): { port: number; predictRoute: string } | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { message?: unknown; port?: unknown; predict_route?: unknown };
      if (entry.message === 'serving' && typeof entry.port === 'number' && typeof entry.predict_route === 'string') {
        return { port: entry.port, predictRoute: entry.predict_route };
      }
    } catch {
      // not one of the server's JSON lines
    }
  }
  return undefined;
}

function rate(r: LoadResult): number {
  return round(r.requests / r.seconds, 1);
}

export async function benchPredictions(work: string): Promise<void> {
  const unavailable = pythonUnavailable();
  if (unavailable) {
    log('WARNING', 'bench: vertex predictions skipped', { reason: unavailable });
    return;
  }
  const dataDir = join(work, 'cloud');
  const startup = await timed(() => startLocalCloud({ dataDir, seed: 'none', pubsub: false }));
  const cloud = startup.value;
  const project = cloud.projectId;
  const vertex = vertexClients(LOCATION, { projectId: project, env: cloud.env });
  try {
    const train = await timed(() =>
      Promise.resolve(
        execFileSync(PYTHON, ['-c', TRAIN, join(dataDir, 'storage', BUCKET, MODEL_PATH)], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_NUM_THREADS: '1' },
        }),
      ),
    );

    const deploy = await timed(async () => {
      const [uploadOp] = await vertex.models.uploadModel(
        buildUploadModelRequest({ project, location: LOCATION, displayName: 'bench-reg', artifactUri: `gs://${BUCKET}/${MODEL_PATH}`, container: { imageUri: SKLEARN_1_5_CPU } }),
      );
      const [uploaded] = await uploadOp.promise();
      const [endpointOp] = await vertex.endpoints.createEndpoint(buildCreateEndpointRequest({ project, location: LOCATION, displayName: 'bench-endpoint' }));
      const [endpoint] = await endpointOp.promise();
      const [deployOp] = await vertex.endpoints.deployModel(
        buildDeployModelRequest({
          endpoint: endpoint.name!,
          model: uploaded.model!,
          resources: { dedicated: { machine: { machineType: 'n1-standard-2' }, minReplicaCount: 1, maxReplicaCount: 1 } },
          trafficSplit: { '0': 100 },
        }),
      );
      const [deployed] = await deployOp.promise();
      return { endpointName: endpoint.name!, deployedModelId: deployed.deployedModel!.id! };
    });
    const { endpointName, deployedModelId } = deploy.value;
    const endpointId = endpointName.split('/').at(-1)!;
    const logFile = join(dataDir, 'vertex', 'logs', 'endpoints', endpointId, deployedModelId, 'server.log');
    let address = servingAddress(logFile);
    for (let i = 0; !address && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      address = servingAddress(logFile);
    }
    if (!address) throw new Error(`no "serving" line with the port in ${logFile}`);
    log('INFO', 'bench: vertex prediction set-up', {
      localCloudStartMs: round(startup.ms, 1),
      trainMs: round(train.ms, 1),
      uploadCreateDeployMs: round(deploy.ms, 1),
      modelServerPort: address.port,
      predictRoute: address.predictRoute,
    });

    // The same rows for every path; one instance per request. Objects keyed by feature name: the
    // client's REST transport turns a list instance (listValue) into {"0": .., "1": ..}.
    const rows = Array.from({ length: 256 }, (_, i) => ({ x1: ((i * 37) % 100) / 10 - 5, x2: ((i * 53) % 100) / 10 - 5, x3: ((i * 71) % 100) / 10 - 5 }));
    const row = (i: number) => rows[i % rows.length]!;
    const viaClient = async (i: number) => {
      const [response] = await vertex.predictions.predict({ endpoint: endpointName, instances: [toProtoValue(row(i), 'instance')] });
      if (response.predictions?.length !== 1) throw new Error(`client predict: ${JSON.stringify(response)}`);
    };
    const restUrl = `${cloud.endpoints.vertex}/v1/${endpointName}:predict`;
    const directUrl = `http://127.0.0.1:${address.port}${address.predictRoute}`;
    const post = async (url: string, i: number) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [row(i)] }) });
      const body = (await res.json()) as { predictions?: unknown[] };
      if (res.status !== 200 || body.predictions?.length !== 1) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(body)}`);
    };
    const viaRest = (i: number) => post(restUrl, i);
    const direct = (i: number) => post(directUrl, i);

    for (const send of [viaClient, viaRest, direct]) for (let i = 0; i < WARMUP_REQUESTS; i++) await send(i);

    const clientSeq = await closedLoop(viaClient, 1, SEQUENTIAL_MS);
    const directSeq = await closedLoop(direct, 1, SEQUENTIAL_MS);
    const restSeq = await closedLoop(viaRest, 1, CONCURRENT_MS);
    const clientConc = await closedLoop(viaClient, CONCURRENCY, CONCURRENT_MS);
    const directConc = await closedLoop(direct, CONCURRENCY, CONCURRENT_MS);

    log('INFO', 'bench: vertex predictions through the endpoint vs the model server', {
      instancesPerRequest: 1,
      sequential: {
        endpointPredictionsPerSecond: rate(clientSeq),
        directPredictionsPerSecond: rate(directSeq),
        endpoint: latencySummary(clientSeq.latencies),
        direct: latencySummary(directSeq.latencies),
        addedLatencyMs: round(median(clientSeq.latencies) - median(directSeq.latencies), 3),
        requests: { endpoint: clientSeq.requests, direct: directSeq.requests },
      },
      concurrent: {
        concurrency: CONCURRENCY,
        endpointPredictionsPerSecond: rate(clientConc),
        directPredictionsPerSecond: rate(directConc),
        endpoint: latencySummary(clientConc.latencies),
        direct: latencySummary(directConc.latencies),
        addedLatencyMs: round(median(clientConc.latencies) - median(directConc.latencies), 3),
        requests: { endpoint: clientConc.requests, direct: directConc.requests },
      },
      // The emulator's REST route with fetch: the emulator's own share, without the client library.
      restSequential: { predictionsPerSecond: rate(restSeq), ...latencySummary(restSeq.latencies), addedOverDirectMs: round(median(restSeq.latencies) - median(directSeq.latencies), 3) },
    });
  } finally {
    await Promise.all(Object.values(vertex).map((c) => c.close()));
    await cloud.stop();
  }
}
