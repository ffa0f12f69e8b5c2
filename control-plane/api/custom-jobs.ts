// POST /v1/models/{model}/customJobs: a distributed training job from the request builders' presets
// (multi-worker GPU, parameter server, reduction server, TPU, single node; spot or flex-start
// scheduling), running the project's distributed trainer. Returned by name at once; Vertex runs it.
// A requestId makes the call idempotent: the first job created for it is recorded and returned again.
import { z } from 'zod';
import { COMPONENT_IMAGE } from '../../pipelines/components/image.js';
import type { ReplicaInput, WorkerPoolsInput } from '../../vertex/requests/custom-job.js';
import { buildCreateCustomJobRequest } from '../../vertex/requests/custom-job.js';
import { multiWorkerMirroredJob, parameterServerJob, reductionServerJob } from '../../vertex/requests/custom-job-presets.js';
import type { AcceleratorTypeName } from '../../vertex/shared/proto-types.js';
import { toLabelValue } from '../../vertex/shared/labels.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { CreateCustomJobBody } from './requests.js';

export interface CustomJobView {
  readonly name: string;
  readonly displayName: string;
  readonly state: string;
  readonly model: string;
  readonly preset: string;
  readonly requestId?: string;
}

const Recorded = z.object({ name: z.string(), displayName: z.string(), model: z.string(), preset: z.string(), requestId: z.string().optional() });

/** The machine each preset uses unless the request names one. */
const PRESET_MACHINES: Record<CreateCustomJobBody['preset'], { machineType: string; acceleratorType?: AcceleratorTypeName; acceleratorCount?: number; tpuTopology?: string }> = {
  'multi-worker-gpu': { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 },
  'parameter-server': { machineType: 'n1-standard-4' },
  'reduction-server': { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 },
  tpu: { machineType: 'ct5lp-hightpu-4t', tpuTopology: '2x2' },
  'single-node': { machineType: 'n1-standard-4' },
};

function pools(body: CreateCustomJobBody, trainerArgs: string[]): WorkerPoolsInput {
  const defaults = PRESET_MACHINES[body.preset];
  const machine = {
    machineType: body.machineType ?? defaults.machineType,
    ...((body.acceleratorType ?? defaults.acceleratorType) ? { acceleratorType: (body.acceleratorType ?? defaults.acceleratorType) as AcceleratorTypeName } : {}),
    ...((body.acceleratorCount ?? defaults.acceleratorCount) ? { acceleratorCount: body.acceleratorCount ?? defaults.acceleratorCount! } : {}),
    ...((body.tpuTopology ?? defaults.tpuTopology) ? { tpuTopology: body.tpuTopology ?? defaults.tpuTopology! } : {}),
  };
  const replica: ReplicaInput = {
    machine,
    task: { container: { imageUri: COMPONENT_IMAGE, command: ['python3', '-m', 'mlops_components.steps.ddp_trainer'], args: trainerArgs } },
  };
  switch (body.preset) {
    case 'multi-worker-gpu':
      return multiWorkerMirroredJob({ replica, workerCount: body.workerCount });
    case 'parameter-server':
      return parameterServerJob({ worker: replica, workerCount: body.workerCount, parameterServer: { ...replica, machine: { machineType: 'n1-highmem-4' } }, parameterServerCount: body.parameterServerCount });
    case 'reduction-server':
      return reductionServerJob({ replica, workerCount: body.workerCount, reductionServerCount: body.reductionServerCount });
    case 'tpu':
    case 'single-node':
      return { chief: replica };
  }
}

export async function createCustomJob(ctx: ControlPlaneContext, model: string, body: CreateCustomJobBody): Promise<CustomJobView> {
  const spec = ctx.models.require(model);
  const recordPath = body.requestId ? `custom-jobs/${spec.name}/${toLabelValue(body.requestId)}.json` : undefined;
  if (recordPath) {
    const existing = await ctx.state.read(recordPath, Recorded);
    if (existing) return { ...existing.value, state: await jobState(ctx, existing.value.name) };
  }
  const trainerArgs = body.args.length > 0 ? body.args : ['--epochs', '2', '--synthetic-rows', '256', '--backend', body.preset === 'multi-worker-gpu' || body.preset === 'reduction-server' ? 'nccl' : 'gloo'];
  const displayName = `${spec.name}-${body.preset}`;
  const request = buildCreateCustomJobRequest({
    project: ctx.settings.projectId,
    location: ctx.settings.region,
    displayName,
    spec: {
      pools: pools(body, trainerArgs),
      scheduling: { strategy: body.schedulingStrategy },
      baseOutputDirectory: `gs://${ctx.settings.pipelineBucket}/custom-jobs/${spec.name}/${toLabelValue(body.requestId ?? new Date().toISOString())}`,
    },
    labels: { model: toLabelValue(spec.name), preset: body.preset, ...(body.requestId ? { request_id: toLabelValue(body.requestId) } : {}) },
  });
  const [job] = await (await ctx.clients.jobs()).createCustomJob(request);
  const view = { name: job.name ?? '', displayName, model: `models/${spec.name}`, preset: body.preset, ...(body.requestId ? { requestId: body.requestId } : {}) };
  if (recordPath) {
    // A concurrent call with the same id may have won: return its job (ours keeps running, recorded in its labels).
    if ((await ctx.state.create(recordPath, view)) === undefined) {
      const winner = await ctx.state.read(recordPath, Recorded);
      if (winner) return { ...winner.value, state: await jobState(ctx, winner.value.name) };
    }
  }
  return { ...view, state: String(job.state ?? 'JOB_STATE_PENDING') };
}

async function jobState(ctx: ControlPlaneContext, name: string): Promise<string> {
  const [job] = await (await ctx.clients.jobs()).getCustomJob({ name });
  return String(job.state);
}
