// PipelineJob resources: validated at create time (proto and IR), then run by the local pipelines
// engine (emulators/vertex/pipelines) with jobDetail and state updated as tasks progress.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { emulatorLog } from '../../kit/log.js';
import type { ContainerLauncher } from '../containers/launcher.js';
import { alreadyExists, errorMessage, invalidArgument, RpcCode } from '../api/errors.js';
import { nowTimestamp } from '../api/ids.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { JobCollection } from '../job-lifecycle/job-collection.js';
import type { RunningJobs } from '../job-lifecycle/running-jobs.js';
import { InvalidPipelineJobError, runPipelineJob, validatePipelineJob } from '../pipeline-engine/index.js';
import type { PipelineFailurePolicy, PipelineJobToRun } from '../pipeline-engine/index.js';
import type { PipelineLineage } from '../metadata/pipeline-lineage.js';
import { plainParameterValues } from './parameters.js';
import { loadTemplate } from './template.js';
import { parameterValueProblems, rootParameters } from '../../../vertex/shared/pipeline-parameters.js';

export interface PipelineJobServiceDeps {
  jobs: JobCollection;
  running: RunningJobs;
  launcher: ContainerLauncher;
  storageRoot: string;
  cacheDir: string;
  logRoot: string;
  workRoot: string;
  maxParallel?: number;
  /** Records each run in ML Metadata (the `default` store), as Vertex AI Pipelines does. */
  lineage?: PipelineLineage;
}

// CreatePipelineJobRequest.pipeline_job_id: up to 128 of [a-z0-9-].
const PIPELINE_JOB_ID = /^[a-z0-9][a-z0-9-]{0,127}$/;

function pipelineNameOf(spec: unknown): string {
  const pipelineInfo = isPlainObject(spec) && isPlainObject(spec.pipelineInfo) ? spec.pipelineInfo : {};
  return text(pipelineInfo.name, 'pipeline');
}

function generatedId(spec: unknown): string {
  const base = pipelineNameOf(spec).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'pipeline';
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${base}-${stamp}`;
}

/** Vertex refuses run-time values whose type is not the parameter's declared type, before the job exists. */
function assertParameterTypes(pipelineSpec: unknown, parameterValues: unknown): void {
  const declared = rootParameters(pipelineSpec);
  if (declared === undefined || !isPlainObject(parameterValues)) return;
  const first = parameterValueProblems(parameterValues, declared)[0];
  if (first === undefined) return;
  const field = `pipeline_job.runtime_config.parameter_values[${JSON.stringify(first.name)}]`;
  throw invalidArgument(`Invalid value for pipeline parameter ${first.name}: ${first.problem}.`, field);
}

export class PipelineJobService {
  constructor(private readonly deps: PipelineJobServiceDeps) {}

  async create(parent: string, body: unknown, query: Record<string, unknown>): Promise<JsonObject> {
    const requestedId = typeof query.pipelineJobId === 'string' ? query.pipelineJobId : undefined;
    assertValidWireRequest('CreatePipelineJobRequest', { parent, pipelineJob: body, ...(requestedId ? { pipelineJobId: requestedId } : {}) });
    const job = canonical('PipelineJob', body);
    if (requestedId !== undefined && !PIPELINE_JOB_ID.test(requestedId)) {
      throw invalidArgument(`Invalid pipeline_job_id "${requestedId}": up to 128 characters of [a-z0-9-], starting with a letter or digit.`, 'pipeline_job_id');
    }
    if (isPlainObject(job.pipelineSpec) && Object.keys(job.pipelineSpec).length === 0) {
      throw invalidArgument(
        'pipeline_job.pipeline_spec is empty. With the Node client, a plain object given as pipelineSpec is sent as an EMPTY Struct: convert it with helpers.toValue(spec).structValue.',
        'pipeline_job.pipeline_spec',
      );
    }
    if (job.pipelineSpec === undefined) {
      if (typeof job.templateUri !== 'string') throw invalidArgument('pipeline_job.pipeline_spec or pipeline_job.template_uri must be set.', 'pipeline_job.pipeline_spec');
      job.pipelineSpec = await loadTemplate(job.templateUri, this.deps.storageRoot);
    }
    let id = requestedId ?? generatedId(job.pipelineSpec);
    if (requestedId === undefined && this.deps.jobs.store.has(`${parent}/pipelineJobs/${id}`)) id = `${id}-${Math.random().toString(36).slice(2, 8)}`;
    const name = `${parent}/pipelineJobs/${id}`;
    if (this.deps.jobs.store.has(name)) throw alreadyExists(`PipelineJob ${name} already exists.`);

    const now = nowTimestamp();
    const runtimeConfig = isPlainObject(job.runtimeConfig) ? job.runtimeConfig : {};
    assertParameterTypes(job.pipelineSpec, runtimeConfig.parameterValues);
    const input: PipelineJobToRun = {
      name,
      createTime: now,
      pipelineSpec: job.pipelineSpec,
      runtimeConfig: {
        ...(typeof runtimeConfig.gcsOutputDirectory === 'string' ? { gcsOutputDirectory: runtimeConfig.gcsOutputDirectory } : {}),
        parameterValues: plainParameterValues(runtimeConfig),
        ...(typeof runtimeConfig.failurePolicy === 'string' ? { failurePolicy: runtimeConfig.failurePolicy as PipelineFailurePolicy } : {}),
      },
    };
    try {
      validatePipelineJob(input);
    } catch (err) {
      if (err instanceof InvalidPipelineJobError) throw invalidArgument(err.message, 'pipeline_job.pipeline_spec');
      throw err;
    }
    const stored: JsonObject = { name, displayName: pipelineNameOf(job.pipelineSpec), ...job, state: 'PIPELINE_STATE_QUEUED', createTime: now, updateTime: now };
    await this.deps.jobs.save(stored);
    this.deps.running.start(name, (signal) => this.run(input, signal));
    emulatorLog('INFO', 'vertex: pipeline job created', { service: 'vertex', job: name });
    return structuredClone(stored);
  }

  private async run(input: PipelineJobToRun, signal: AbortSignal): Promise<void> {
    const { jobs } = this.deps;
    const name = input.name;
    if (!(await jobs.begin(name, signal, ['PENDING', 'RUNNING']))) return;
    try {
      const result = await runPipelineJob(
        input,
        {
          storageRoot: this.deps.storageRoot,
          launcher: this.deps.launcher,
          cacheDir: this.deps.cacheDir,
          logDir: join(this.deps.logRoot, 'pipelineJobs'),
          workRoot: join(this.deps.workRoot, 'pipelineJobs'),
          maxParallel: this.deps.maxParallel ?? availableParallelism(),
          onUpdate: (update) => {
            void this.deps.lineage?.record(name, update.jobDetail);
            void jobs.update(name, (job) => {
              job.jobDetail = update.jobDetail;
              // A job being cancelled stays CANCELLING until the engine reports the end; a final
              // state is written only by setPhase below, with its endTime, so no reader sees
              // SUCCEEDED without an end time.
              if (update.state !== 'PIPELINE_STATE_RUNNING') return;
              if (job.state !== 'PIPELINE_STATE_CANCELLING') job.state = update.state;
            });
          },
        },
        signal,
      );
      await jobs.update(name, (job) => {
        job.jobDetail = result.jobDetail;
      });
      // A finished job's executions and artifacts are in ML Metadata when its final state shows.
      await this.deps.lineage?.record(name, result.jobDetail, true);
      if (result.state === 'PIPELINE_STATE_CANCELLED') {
        await jobs.finishAborted(name, signal);
      } else {
        await jobs.setPhase(name, result.state === 'PIPELINE_STATE_SUCCEEDED' ? 'SUCCEEDED' : 'FAILED', result.error ? { error: result.error } : {});
      }
    } catch (err) {
      await jobs.setPhase(name, 'FAILED', { error: { code: RpcCode.INTERNAL, message: `The local pipelines engine failed: ${errorMessage(err)}` } });
    }
  }
}
