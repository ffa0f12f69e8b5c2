// Common distributed-training layouts as WorkerPoolsInput, to pass as
// `spec.pools` to buildCreateCustomJobRequest or as a tuning job's trial spec.
import { fail, requireInteger } from '../shared/errors.js';
import type { PoolInput, ReplicaInput, WorkerPoolsInput } from './custom-job.js';
import { DEFAULT_REDUCTION_SERVER_MACHINE } from './custom-job.js';

export interface MultiWorkerMirroredInput {
  /** Machine and program shared by the chief and every worker. */
  readonly replica: ReplicaInput;
  /** Workers besides the chief (MultiWorkerMirroredStrategy / DDP style, all replicas alike). */
  readonly workerCount: number;
}

export function multiWorkerMirroredJob(input: MultiWorkerMirroredInput): WorkerPoolsInput {
  const workerCount = requireInteger(input.workerCount, 'workerCount', 1);
  return { chief: input.replica, workers: { ...input.replica, replicaCount: workerCount } };
}

export interface ParameterServerInput {
  readonly worker: ReplicaInput;
  readonly workerCount: number;
  readonly parameterServer: ReplicaInput;
  readonly parameterServerCount: number;
  /** Defaults to the worker replica (the chief coordinates and also trains). */
  readonly chief?: ReplicaInput;
  readonly evaluators?: PoolInput;
}

export function parameterServerJob(input: ParameterServerInput): WorkerPoolsInput {
  const pools: WorkerPoolsInput = {
    chief: input.chief ?? input.worker,
    workers: { ...input.worker, replicaCount: requireInteger(input.workerCount, 'workerCount', 1) },
    parameterServers: { ...input.parameterServer, replicaCount: requireInteger(input.parameterServerCount, 'parameterServerCount', 1) },
  };
  return input.evaluators === undefined ? pools : { ...pools, evaluators: input.evaluators };
}

export interface ReductionServerJobInput {
  /** GPU replica used by the chief and the workers. */
  readonly replica: ReplicaInput;
  readonly workerCount: number;
  readonly reductionServerCount: number;
  /** CPU-only machine for the reduction servers; defaults to n1-highcpu-16. */
  readonly reductionServerMachineType?: string;
}

export function reductionServerJob(input: ReductionServerJobInput): WorkerPoolsInput {
  const accelerator = input.replica.machine.acceleratorType;
  if (accelerator === undefined || !accelerator.startsWith('NVIDIA_')) {
    fail('replica.machine.acceleratorType', 'reduction server training requires GPU replicas');
  }
  return {
    chief: input.replica,
    workers: { ...input.replica, replicaCount: requireInteger(input.workerCount, 'workerCount', 1) },
    reductionServer: {
      replicaCount: requireInteger(input.reductionServerCount, 'reductionServerCount', 1),
      machineType: input.reductionServerMachineType ?? DEFAULT_REDUCTION_SERVER_MACHINE,
    },
  };
}
