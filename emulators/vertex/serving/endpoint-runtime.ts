// Deployed models as local servers: deploy starts a model's serving container through the
// container launcher, predict routes each request by the endpoint's traffic split and forwards
// it, request-response logging writes to BigQuery and Vertex's built-in metrics go to Cloud
// Monitoring, both in the background.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'node:http';
import { GoogleApiError, badRequest, conflict } from '../../kit/google-error.js';
import { emulatorLog } from '../../kit/log.js';
import { freePort } from '../../kit/free-port.js';
import type { ContainerLauncher } from '../containers/index.js';
import { UnmappedImageError, gcsUriToLocalPath, parseGcsUri } from '../containers/index.js';
import { containerEnv, expandVars, servingRoutes } from './container-env.js';
import { keepAliveAgent } from './http-client.js';
import { ModelProcess, ModelServerStartError } from './model-process.js';
import { forwardPredict } from './predict-forward.js';
import type { ServedModel } from './resources.js';
import { lastSegment, loggingConfig, modelReference, parseEndpoint, parseModel, ResourceShapeError } from './resources.js';
import { BigQueryRequestResponseSink } from './request-logging/bigquery-sink.js';
import type { RequestResponseSink } from './request-logging/bigquery-sink.js';
import { loggingTable } from './request-logging/destination.js';
import { RequestLogger } from './request-logging/request-logger.js';
import { MonitoringEmulatorWriter } from './metrics/monitoring-writer.js';
import type { PredictionRecord, TimeSeriesWriter } from './metrics/serving-metrics.js';
import { MIN_INTERVAL_MS, ServingMetrics } from './metrics/serving-metrics.js';
import type { Random } from './traffic.js';
import { pickDeployedModel } from './traffic.js';

export interface EndpointRuntimeDeps {
  /** A LocalContainerLauncher in the emulator; any launcher in tests. */
  launcher: ContainerLauncher;
  /** The storage emulator's root: `gs://b/p` is `<storageRoot>/b/p`. */
  storageRoot: string;
  /** Each deployed model logs to `<logDir>/<endpoint id>/<deployed model id>/server.log`. */
  logDir: string;
  /** The local cloud's settings (GOOGLE_CLOUD_PROJECT, BIGQUERY_EMULATOR_HOST, ...), also given to containers. */
  env: Record<string, string>;
  /** Traffic-split draws (default Math.random). */
  random?: Random;
  /** Request-response log sampling draws (default Math.random). */
  samplingRandom?: Random;
  /** Default: BigQuery through the official client. */
  requestLogSink?: RequestResponseSink;
  /** Until the health route must answer 200 (default 120 s). */
  startupTimeoutMs?: number;
  /** Per prediction (default 600 s, Vertex's default inference timeout). */
  predictTimeoutMs?: number;
  /**
   * Where the built-in prediction metrics go. Default: the Monitoring emulator at
   * `env.MONITORING_EMULATOR_HOST`; none without it. `false`: no metrics.
   */
  metricsWriter?: TimeSeriesWriter | false;
  /** Between metric writes (default `env.VERTEX_EMULATOR_METRICS_INTERVAL_SECONDS`, else 5 s; at least 5 s). */
  metricsIntervalMs?: number;
}

export interface PredictOptions {
  /** rawPredict: the body goes to the model server and back untouched. */
  raw: boolean;
  /** rawPredict: the request's content type (default application/json). */
  contentType?: string;
}

export interface PredictResult {
  status: number;
  /** PredictResponse or a Google error body; for raw, the server's body as text (errors before the server: a Google error body). */
  body: unknown;
  /** Empty when no deployed model was chosen. */
  deployedModelId: string;
  /** The model server's content type (raw predictions). */
  contentType?: string;
}

export interface DeployedModelInfo {
  port: number;
  logFile: string;
  running: boolean;
}

interface Deployment {
  endpointName: string;
  deployedModelId: string;
  predictRoute: string;
  model: ServedModel;
  /** Settles when the server is healthy (or failed to become so). */
  started: Promise<ModelProcess>;
  server?: ModelProcess;
  /** Undeploy: stops the server, even one still starting. */
  cancel: AbortController;
  stopping: boolean;
}

const PORT_ATTEMPTS = 3;

export class EndpointRuntime {
  private readonly deployments = new Map<string, Deployment>();
  private readonly agent: Agent = keepAliveAgent();
  private readonly requestLogger: RequestLogger;
  private readonly random: Random;
  private readonly metrics: ServingMetrics | undefined;

  constructor(private readonly deps: EndpointRuntimeDeps) {
    this.random = deps.random ?? Math.random;
    const monitoringHost = deps.env.MONITORING_EMULATOR_HOST;
    const writer = deps.metricsWriter ?? (monitoringHost ? new MonitoringEmulatorWriter(monitoringHost) : false);
    if (writer) this.metrics = new ServingMetrics({ writer, intervalMs: deps.metricsIntervalMs ?? intervalFromEnv(deps.env) });
    this.requestLogger = new RequestLogger({
      sink: deps.requestLogSink ?? new BigQueryRequestResponseSink(deps.env),
      random: deps.samplingRandom ?? Math.random,
    });
  }

  /** Resolves once the model's health route answers 200; rejects with the server's log tail otherwise. */
  async deploy(endpointName: string, deployedModelId: string, model: unknown): Promise<void> {
    const key = deploymentKey(endpointName, deployedModelId);
    const existing = this.deployments.get(key);
    // A server that died may be deployed again; a live or starting one may not.
    if (existing && !(existing.server && !existing.server.running)) {
      throw conflict(`Deployed model ${deployedModelId} is already deployed to ${endpointName}.`);
    }
    let served: ServedModel;
    try {
      served = parseModel(model);
    } catch (err) {
      throw badRequest(err instanceof ResourceShapeError ? err.message : String(err));
    }
    this.checkArtifacts(served);
    const routes = servingRoutes(served.containerSpec, endpointName, deployedModelId);
    const cancel = new AbortController();
    const deployment: Deployment = {
      endpointName,
      deployedModelId,
      predictRoute: routes.predictRoute,
      model: served,
      started: this.startServer(endpointName, deployedModelId, served, routes, cancel.signal),
      cancel,
      stopping: false,
    };
    this.deployments.set(key, deployment);
    try {
      deployment.server = await deployment.started;
    } catch (err) {
      if (this.deployments.get(key) === deployment) this.deployments.delete(key);
      if (deployment.stopping) throw new GoogleApiError(409, `Deployed model ${deployedModelId} was undeployed before it became ready.`, { status: 'ABORTED' });
      emulatorLog('ERROR', `deployed model ${deployedModelId} failed to start`, { component: 'vertex-serving', endpoint: endpointName, error: String(err) });
      if (err instanceof ModelServerStartError) throw new GoogleApiError(400, `Model server never became ready: ${err.message}`, { status: 'FAILED_PRECONDITION' });
      if (err instanceof UnmappedImageError) throw new GoogleApiError(400, err.message, { status: 'FAILED_PRECONDITION' });
      throw err;
    }
    const { server } = deployment;
    emulatorLog('INFO', `deployed model ${deployedModelId} is serving`, {
      component: 'vertex-serving',
      endpoint: endpointName,
      port: server.port,
      image: served.containerSpec.imageUri,
      artifactUri: served.artifactUri,
      logFile: server.logFile,
    });
    void server.ended.then(() => {
      if (!deployment.stopping) {
        emulatorLog('ERROR', `model server of deployed model ${deployedModelId} exited unexpectedly`, {
          component: 'vertex-serving',
          endpoint: endpointName,
          exit: server.exit,
          logFile: server.logFile,
        });
      }
    });
  }

  /** Stops the model's server (its whole process group); a model not deployed here is a no-op. */
  async undeploy(endpointName: string, deployedModelId: string): Promise<void> {
    const key = deploymentKey(endpointName, deployedModelId);
    const deployment = this.deployments.get(key);
    if (!deployment) return;
    deployment.stopping = true;
    this.deployments.delete(key);
    deployment.cancel.abort();
    const server = await deployment.started.catch(() => undefined);
    await server?.stop();
    emulatorLog('INFO', `undeployed model ${deployedModelId}`, { component: 'vertex-serving', endpoint: endpointName });
  }

  async predict(endpoint: unknown, body: unknown, options: PredictOptions): Promise<PredictResult> {
    const started = performance.now();
    const served = parseEndpoint(endpoint);
    const { result, modelMs, modelDisplayName } = await this.route(served, body, options);
    if (this.metrics && result.deployedModelId) {
      const record: PredictionRecord = {
        endpoint: served.name,
        endpointDisplayName: served.displayName,
        deployedModelId: result.deployedModelId,
        modelDisplayName,
        status: result.status,
        predictions: countPredictions(result, options.raw),
        totalMs: performance.now() - started,
        modelMs,
      };
      this.metrics.record(record);
    }
    return result;
  }

  /** Writes the built-in metrics counted so far (they are also written every interval and on stopAll). */
  flushServingMetrics(): Promise<void> {
    return this.metrics?.flush() ?? Promise.resolve();
  }

  private async route(served: ReturnType<typeof parseEndpoint>, body: unknown, options: PredictOptions): Promise<{ result: PredictResult; modelMs?: number; modelDisplayName?: string }> {
    const outcome = await this.forward(served, body, options);
    return 'result' in outcome ? outcome : { result: outcome };
  }

  private async forward(served: ReturnType<typeof parseEndpoint>, body: unknown, options: PredictOptions): Promise<PredictResult | { result: PredictResult; modelMs?: number; modelDisplayName?: string }> {
    const deployedModels = served.deployedModels ?? [];
    if (deployedModels.length === 0) return failure(400, `Endpoint ${served.name} has no deployed models.`, 'FAILED_PRECONDITION');
    const deployedModelId = pickDeployedModel(served.trafficSplit ?? {}, deployedModels.map((d) => d.id), this.random);
    if (deployedModelId === undefined) return failure(400, `Endpoint ${served.name} sends no traffic to any deployed model.`, 'FAILED_PRECONDITION');
    const deployment = this.deployments.get(deploymentKey(served.name, deployedModelId));
    const server = deployment?.server;
    if (!deployment || !server?.running) {
      const why = deployment && server ? `its model server exited (see ${server.logFile})` : 'it has no running model server';
      return { ...failure(503, `Deployed model ${deployedModelId} of ${served.name} cannot serve: ${why}.`), deployedModelId };
    }
    const deployed = deployedModels.find((d) => d.id === deployedModelId);
    const reference = modelReference({ model: deployed?.model ?? deployment.model.name, modelVersionId: deployed?.modelVersionId ?? deployment.model.versionId });
    const outcome = await forwardPredict({
      port: server.port,
      route: deployment.predictRoute,
      agent: this.agent,
      body,
      raw: options.raw,
      ...(options.contentType ? { contentType: options.contentType } : {}),
      timeoutMs: this.deps.predictTimeoutMs ?? 600_000,
      response: { deployedModelId, ...reference, ...(deployment.model.displayName ? { modelDisplayName: deployment.model.displayName } : {}) },
    });
    const logging = loggingConfig(served);
    if (logging && outcome.status >= 200 && outcome.status < 300) this.logExchange(served, deployedModelId, logging, outcome);
    const result = { status: outcome.status, body: outcome.body, deployedModelId, ...(outcome.contentType ? { contentType: outcome.contentType } : {}) };
    const modelDisplayName = deployment.model.displayName ?? deployed?.displayName;
    return { result, ...(outcome.reachedServer ? { modelMs: outcome.latencyMs } : {}), ...(modelDisplayName ? { modelDisplayName } : {}) };
  }

  /** Where a deployed model's server listens and logs; undefined when not deployed here. */
  describe(endpointName: string, deployedModelId: string): DeployedModelInfo | undefined {
    const server = this.deployments.get(deploymentKey(endpointName, deployedModelId))?.server;
    return server && { port: server.port, logFile: server.logFile, running: server.running };
  }

  /** Waits until queued request-response rows are written (or given up on). */
  flushRequestLogs(): Promise<void> {
    return this.requestLogger.flush();
  }

  async stopAll(): Promise<void> {
    const all = [...this.deployments.values()];
    await Promise.all(all.map((d) => this.undeploy(d.endpointName, d.deployedModelId)));
    // Bounded: a slow BigQuery or Monitoring must not hold the emulator's shutdown.
    await Promise.race([
      Promise.all([this.requestLogger.flush(), this.metrics?.stop()]),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
    this.agent.destroy();
  }

  private async startServer(
    endpointName: string,
    deployedModelId: string,
    model: ServedModel,
    routes: ReturnType<typeof servingRoutes>,
    signal: AbortSignal,
  ): Promise<ModelProcess> {
    const dir = join(this.deps.logDir, lastSegment(endpointName), deployedModelId);
    const spec = model.containerSpec;
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const env = containerEnv({ model, endpointName, deployedModelId, port, routes, base: this.deps.env, storageRoot: this.deps.storageRoot });
      try {
        return await ModelProcess.start({
          launcher: this.deps.launcher,
          request: {
            image: spec.imageUri,
            command: (spec.command ?? []).map((c) => expandVars(c, env)),
            args: (spec.args ?? []).map((a) => expandVars(a, env)),
            env,
            workDir: join(dir, 'work'),
            logFile: join(dir, 'server.log'),
          },
          port,
          healthRoute: routes.healthRoute,
          startupTimeoutMs: this.deps.startupTimeoutMs ?? 120_000,
          signal,
        });
      } catch (err) {
        // freePort can lose a race with another process for the port: take another.
        const portTaken = err instanceof ModelServerStartError && /address already in use/i.test(err.logTail);
        if (!portTaken || attempt >= PORT_ATTEMPTS || signal.aborted) throw err;
      }
    }
  }

  /** Vertex refuses to deploy a model whose artifacts are gone; say so before starting anything. */
  private checkArtifacts(model: ServedModel): void {
    const uri = model.artifactUri;
    if (!uri || !parseGcsUri(uri)) return;
    const local = gcsUriToLocalPath(uri, this.deps.storageRoot);
    if (!existsSync(local)) throw new GoogleApiError(400, `Model artifacts at ${uri} do not exist (looked in ${local}).`, { status: 'FAILED_PRECONDITION' });
  }

  private logExchange(endpoint: ReturnType<typeof parseEndpoint>, deployedModelId: string, logging: NonNullable<ReturnType<typeof loggingConfig>>, outcome: { request: unknown; response: unknown }): void {
    try {
      const table = loggingTable(logging.outputUri, endpoint);
      this.requestLogger.record(table, logging.samplingRate, {
        endpoint: endpoint.name,
        deployedModelId,
        request: outcome.request,
        response: outcome.response,
        at: new Date(),
      });
    } catch (err) {
      emulatorLog('WARNING', `request-response logging skipped: ${err instanceof Error ? err.message : String(err)}`, { component: 'vertex-serving', endpoint: endpoint.name });
    }
  }
}

/** Successful predictions: the response's list (a rawPredict answer counts as one). */
function countPredictions(result: PredictResult, raw: boolean): number {
  if (result.status < 200 || result.status >= 300) return 0;
  if (raw) return 1;
  const predictions = typeof result.body === 'object' && result.body !== null ? (result.body as { predictions?: unknown }).predictions : undefined;
  return Array.isArray(predictions) ? predictions.length : 0;
}

function intervalFromEnv(env: Readonly<Record<string, string>>): number {
  const seconds = Number(env.VERTEX_EMULATOR_METRICS_INTERVAL_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : MIN_INTERVAL_MS;
}

function deploymentKey(endpointName: string, deployedModelId: string): string {
  return `${endpointName}\u0000${deployedModelId}`;
}

function failure(code: number, message: string, status?: string): PredictResult {
  return { status: code, body: new GoogleApiError(code, message, status ? { status } : {}).toBody('grpc-gateway'), deployedModelId: '' };
}
