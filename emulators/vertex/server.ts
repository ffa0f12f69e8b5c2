// The Vertex AI emulator: Google's v1 REST surface for custom jobs, hyperparameter tuning jobs,
// pipeline jobs, the Model Registry, endpoints and Vizier studies, backed by local processes.
// Point the official clients at it with VERTEX_EMULATOR_HOST (google-clients/index.ts) and gcloud
// with CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM=<url>/. State persists under `dataDir`.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FaultInjector } from '../kit/faults.js';
import { faultsFromEnv } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { EmulatorServer } from '../kit/server.js';
import type { ContainerLauncher } from './containers/launcher.js';
import { EnvironmentLauncher } from './containers/environment-launcher.js';
import { LocalContainerLauncher } from './containers/launcher.js';
import { ProcessGroupRegistry } from './containers/group-registry.js';
import type { ServingRuntime } from './endpoints/endpoints.js';
import { EndpointService } from './endpoints/endpoints.js';
import { CustomJobService } from './custom-jobs/custom-jobs.js';
import { JobCollection } from './job-lifecycle/job-collection.js';
import { RunningJobs } from './job-lifecycle/running-jobs.js';
import { ModelEvaluations } from './models/evaluations.js';
import type { StoredEvaluation } from './models/evaluations.js';
import { ModelRegistry } from './models/model-registry.js';
import type { Operation } from './operations/operations.js';
import { Operations } from './operations/operations.js';
import { PipelineJobService } from './pipeline-jobs/pipeline-jobs.js';
import { registerEndpointRoutes } from './routes/endpoints.js';
import { registerCustomJobRoutes } from './routes/custom-jobs.js';
import { registerHyperparameterTuningJobRoutes } from './routes/hyperparameter-tuning-jobs.js';
import { registerPipelineJobRoutes } from './routes/pipeline-jobs.js';
import { registerModelRoutes } from './routes/models.js';
import { registerOperationRoutes } from './routes/operations.js';
import { EndpointRuntime } from './serving/index.js';
import { JsonStore } from './state/json-store.js';
import type { JsonObject } from './api/wire-json.js';
import { TuningJobService } from './hyperparameter-tuning-jobs/tuning-jobs.js';
import { registerVizierRoutes } from './routes/vizier.js';
import { registerMetadataRoutes } from './routes/metadata.js';
import { openMetadataService } from './metadata/index.js';
import { PipelineLineage } from './metadata/pipeline-lineage.js';
import type { Designer } from './vizier/designer.js';
import type { DesignerProcessOptions } from './vizier/designer-process.js';
import { startDesignerProcess } from './vizier/designer-process.js';
import { VizierEarlyStopping } from './vizier/early-stopping.js';
import type { StoredStudy } from './vizier/studies.js';
import { VizierStudies } from './vizier/studies.js';
import { VizierSuggestions } from './vizier/suggest-trials.js';
import type { StoredTrial } from './vizier/trials.js';
import { VizierTrials } from './vizier/trials.js';

export interface VertexEmulatorOptions {
  /** Resources (`state/`), replica and task logs (`logs/`), scratch space (`work/`), the pipeline cache. */
  dataDir: string;
  /** The storage emulator's data directory: `gs://b/p` is `<storageRoot>/b/p` for every process. */
  storageRoot: string;
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
  /** Fault rules; default: from `EMULATOR_FAULTS`. Also settable at run time on `/_emulator/faults`. */
  faults?: FaultInjector;
  /** Environment for clients the emulator and its containers use (BIGQUERY_EMULATOR_HOST, PUBSUB_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT, ...). */
  env?: Record<string, string>;
  /** Pipeline tasks running at once; default: the number of CPU cores. */
  maxParallel?: number;
  /** Default: a LocalContainerLauncher over `storageRoot` with the repository's image map. */
  launcher?: ContainerLauncher;
  /** Default: the local serving runtime (emulators/vertex/serving). */
  servingRuntime?: ServingRuntime;
  /** The suggestion engine; default: the Python worker (designer-process.ts), closed with the emulator. One given here is the caller's to close. */
  designer?: Designer;
  /** Options of the default Python worker (interpreter, call timeout). */
  designerProcess?: DesignerProcessOptions;
  /** Record each PipelineJob in ML Metadata as Vertex AI Pipelines does (default true); off only to measure what recording costs (`npm run bench -- --only metadata`). */
  recordPipelineLineage?: boolean;
}

export interface VertexEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`: VERTEX_EMULATOR_HOST for our clients; with a trailing `/` for gcloud's endpoint override. */
  readonly url: string;
  /** Stops serving and every process the emulator started (training replicas, pipeline tasks, model servers). */
  close(): Promise<void>;
}

export async function startVertexEmulator(options: VertexEmulatorOptions): Promise<VertexEmulator> {
  const dataDir = resolve(options.dataDir);
  const storageRoot = resolve(options.storageRoot);
  const stateDir = join(dataDir, 'state');
  const logRoot = join(dataDir, 'logs');
  const workRoot = join(dataDir, 'work');
  await mkdir(stateDir, { recursive: true });
  await mkdir(storageRoot, { recursive: true });

  const stores = {
    operations: new JsonStore<Operation>(stateDir, 'operations'),
    customJobs: new JsonStore<JsonObject>(stateDir, 'customJobs'),
    tuningJobs: new JsonStore<JsonObject>(stateDir, 'hyperparameterTuningJobs'),
    pipelineJobs: new JsonStore<JsonObject>(stateDir, 'pipelineJobs'),
    models: new JsonStore<JsonObject>(stateDir, 'models'),
    evaluations: new JsonStore<StoredEvaluation>(stateDir, 'modelEvaluations'),
    endpoints: new JsonStore<JsonObject>(stateDir, 'endpoints'),
    studies: new JsonStore<StoredStudy>(stateDir, 'studies'),
    trials: new JsonStore<StoredTrial>(stateDir, 'trials'),
  };
  await Promise.all(Object.values(stores).map((s) => s.load()));
  // Processes an earlier instance left behind when it was killed outright go first.
  const groups = new ProcessGroupRegistry(stateDir);
  await groups.reapOrphans();

  // Set once the server listens: containers call back into this emulator (e.g. the tuning component).
  const self: { address?: string } = {};
  const launcher = new EnvironmentLauncher(options.launcher ?? new LocalContainerLauncher({ storageRoot, groups }), () => ({
    ...(options.env ?? {}),
    ...(self.address ? { VERTEX_EMULATOR_HOST: self.address } : {}),
  }));
  const running = new RunningJobs();
  const operations = new Operations(stores.operations);
  const customJobs = new JobCollection({ collection: 'customJobs', label: 'CustomJob', statePrefix: 'JOB_STATE_', listField: 'customJobs' }, stores.customJobs, running, operations);
  const tuningJobs = new JobCollection(
    { collection: 'hyperparameterTuningJobs', label: 'HyperparameterTuningJob', statePrefix: 'JOB_STATE_', listField: 'hyperparameterTuningJobs' },
    stores.tuningJobs,
    running,
    operations,
  );
  const pipelineJobs = new JobCollection({ collection: 'pipelineJobs', label: 'PipelineJob', statePrefix: 'PIPELINE_STATE_', listField: 'pipelineJobs' }, stores.pipelineJobs, running, operations);
  await operations.recover();
  const metadata = await openMetadataService(stateDir, operations);
  for (const jobs of [customJobs, tuningJobs, pipelineJobs]) await jobs.recover();

  const models = new ModelRegistry(stores.models, operations);
  const evaluations = new ModelEvaluations(stores.evaluations, models);
  models.afterDelete = (baseName, versionId) => evaluations.deleteFor(baseName, versionId);
  const runtime = options.servingRuntime ?? new EndpointRuntime({ launcher, storageRoot, logDir: join(logRoot, 'endpoints'), env: options.env ?? {} });
  const endpoints = new EndpointService(stores.endpoints, operations, models, runtime);
  const jobDeps = { running, launcher, storageRoot, logRoot, workRoot };
  // One suggestion engine (a Python worker, spawned on first use) for Vizier studies and tuning jobs.
  const designer: Designer = options.designer ?? startDesignerProcess(options.designerProcess);
  const ownsDesigner = options.designer === undefined;
  const studies = new VizierStudies(stores.studies);
  const trials = new VizierTrials(stores.trials, studies);
  studies.afterDelete = (name) => trials.deleteAll(name);

  const server = new EmulatorServer('vertex', options.faults ?? faultsFromEnv());
  registerOperationRoutes(server, operations);
  registerCustomJobRoutes(server, customJobs, new CustomJobService({ ...jobDeps, jobs: customJobs }));
  registerHyperparameterTuningJobRoutes(server, tuningJobs, new TuningJobService({ ...jobDeps, jobs: tuningJobs, designer }));
  registerPipelineJobRoutes(
    server,
    pipelineJobs,
    new PipelineJobService({
      ...jobDeps,
      jobs: pipelineJobs,
      cacheDir: join(dataDir, 'pipeline-cache'),
      ...(options.recordPipelineLineage === false ? {} : { lineage: new PipelineLineage(metadata) }),
      ...(options.maxParallel ? { maxParallel: options.maxParallel } : {}),
    }),
  );
  registerModelRoutes(server, models, evaluations);
  registerEndpointRoutes(server, endpoints);
  registerVizierRoutes(server, {
    studies,
    trials,
    suggestions: new VizierSuggestions(studies, trials, operations, designer),
    earlyStopping: new VizierEarlyStopping(studies, trials, operations, designer),
  });
  registerMetadataRoutes(server, metadata);

  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  self.address = url.slice('http://'.length);
  const redeploys = endpoints.redeployAll();
  emulatorLog('INFO', 'vertex emulator listening', { service: 'vertex', url, dataDir, storageRoot });

  let closing: Promise<void> | undefined;
  return {
    host: address.host,
    port: address.port,
    url,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        // Jobs see the shutdown first (their signals abort at once), then the Designer closes and
        // fails its waiting calls, so neither the jobs nor the operations below wait on its worker.
        const jobsStopped = running.stopAll();
        if (ownsDesigner) await designer.close();
        await jobsStopped;
        await runtime.stopAll();
        await Promise.allSettled(redeploys);
        await runtime.stopAll();
        await operations.settle();
        await Promise.all(Object.values(stores).map((s) => s.flush()));
        await metadata.state.flush();
        await groups.flush();
      })()),
  };
}
