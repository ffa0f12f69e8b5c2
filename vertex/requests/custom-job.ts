// CreateCustomJobRequest and the CustomJobSpec it shares with hyperparameter tuning trials.
import type {
  ICreateCustomJobRequest,
  ICustomJobSpec,
  IDiskSpec,
  IScheduling,
  IWorkerPoolSpec,
} from '../shared/proto-types.js';
import { toEnvVars, requireImageUri, toStringList } from '../shared/containers.js';
import { durationSeconds, toPositiveDuration } from '../shared/duration.js';
import type { DurationInput } from '../shared/duration.js';
import { fail, failOn, requireDisplayName, requireInteger } from '../shared/errors.js';
import type { BOOT_DISK_TYPES } from '../shared/limits.js';
import { bootDiskSizeProblem, bootDiskTypeProblem, jobTimeoutProblem } from '../shared/limits.js';
import { validateLabels } from '../shared/labels.js';
import type { MachineSpecInput } from '../shared/machine-spec.js';
import { buildMachineSpec, hasAccelerator, hasGpu } from '../shared/machine-spec.js';
import type { LocationRef } from '../shared/resource-names.js';
import { locationName, requireKmsKeyName, requireNetwork, requireServiceAccount } from '../shared/resource-names.js';
import { requireGcsUri } from '../shared/storage-uris.js';

export interface ContainerTaskInput {
  readonly imageUri: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface PythonPackageTaskInput {
  /** A prebuilt training image, e.g. `us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest`. */
  readonly executorImageUri: string;
  /** gs:// URIs of the source distributions to install. */
  readonly packageUris: readonly string[];
  readonly pythonModule: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** What a replica runs: exactly one of a custom container or a Python package. */
export type TaskInput =
  | { readonly container: ContainerTaskInput; readonly pythonPackage?: never }
  | { readonly pythonPackage: PythonPackageTaskInput; readonly container?: never };

export type BootDiskType = (typeof BOOT_DISK_TYPES)[number];

export interface DiskInput {
  readonly bootDiskType?: BootDiskType;
  /** 100-64000 GB; Vertex's default is 100. */
  readonly bootDiskSizeGb?: number;
}

/** One replica's machine and program. */
export interface ReplicaInput {
  readonly machine: MachineSpecInput;
  readonly task: TaskInput;
  readonly disk?: DiskInput;
}

export interface PoolInput extends ReplicaInput {
  readonly replicaCount: number;
}

export const REDUCTION_SERVER_IMAGE = 'us-docker.pkg.dev/vertex-ai-restricted/training/reductionserver:latest';
export const DEFAULT_REDUCTION_SERVER_MACHINE = 'n1-highcpu-16';

export interface ReductionServerInput {
  readonly replicaCount: number;
  /** A CPU-only machine; defaults to n1-highcpu-16. */
  readonly machineType?: string;
}

/**
 * Vertex's fixed pool positions: [0] chief (always 1 replica), [1] workers,
 * [2] parameter servers OR a reduction server, [3] evaluators.
 */
export interface WorkerPoolsInput {
  readonly chief: ReplicaInput;
  readonly workers?: PoolInput;
  readonly parameterServers?: PoolInput;
  readonly reductionServer?: ReductionServerInput;
  readonly evaluators?: PoolInput;
}

export type SchedulingStrategy = 'STANDARD' | 'SPOT' | 'FLEX_START';

export interface SchedulingInput {
  readonly timeout?: DurationInput;
  readonly restartJobOnWorkerRestart?: boolean;
  readonly strategy?: SchedulingStrategy;
  /** How long FLEX_START may wait for resources; only with strategy FLEX_START. */
  readonly maxWaitDuration?: DurationInput;
  readonly disableRetries?: boolean;
}

export interface CustomJobSpecInput {
  readonly pools: WorkerPoolsInput;
  readonly scheduling?: SchedulingInput;
  /** gs:// prefix; sets AIP_MODEL_DIR, AIP_CHECKPOINT_DIR and AIP_TENSORBOARD_LOG_DIR. */
  readonly baseOutputDirectory?: string;
  readonly serviceAccount?: string;
  readonly network?: string;
}

export interface CustomJobInput extends LocationRef {
  readonly displayName: string;
  readonly spec: CustomJobSpecInput;
  readonly labels?: Readonly<Record<string, string>>;
  readonly encryptionKmsKeyName?: string;
}

export function buildCreateCustomJobRequest(input: CustomJobInput): ICreateCustomJobRequest {
  const displayName = requireDisplayName(input.displayName);
  const customJob: NonNullable<ICreateCustomJobRequest['customJob']> = {
    displayName,
    jobSpec: buildCustomJobSpec(input.spec),
  };
  const labels = validateLabels(input.labels);
  if (labels !== undefined) customJob.labels = labels;
  if (input.encryptionKmsKeyName !== undefined) {
    customJob.encryptionSpec = { kmsKeyName: requireKmsKeyName(input.encryptionKmsKeyName, input.location, 'encryptionKmsKeyName') };
  }
  return { parent: locationName(input), customJob };
}

export function buildCustomJobSpec(input: CustomJobSpecInput, field = 'spec'): ICustomJobSpec {
  const spec: ICustomJobSpec = { workerPoolSpecs: buildWorkerPoolSpecs(input.pools, `${field}.pools`) };
  if (input.scheduling !== undefined) spec.scheduling = buildScheduling(input.scheduling, `${field}.scheduling`);
  if (input.baseOutputDirectory !== undefined) {
    spec.baseOutputDirectory = { outputUriPrefix: requireGcsUri(input.baseOutputDirectory, `${field}.baseOutputDirectory`) };
  }
  if (input.serviceAccount !== undefined) spec.serviceAccount = requireServiceAccount(input.serviceAccount, `${field}.serviceAccount`);
  if (input.network !== undefined) spec.network = requireNetwork(input.network, `${field}.network`);
  return spec;
}

export function buildWorkerPoolSpecs(pools: WorkerPoolsInput, field = 'pools'): IWorkerPoolSpec[] {
  if (pools.parameterServers !== undefined && pools.reductionServer !== undefined) {
    fail(`${field}.reductionServer`, 'pool 2 holds either parameter servers or a reduction server, not both');
  }
  const chief = buildPool({ ...pools.chief, replicaCount: 1 }, `${field}.chief`);
  const workers = pools.workers === undefined ? undefined : buildPool(pools.workers, `${field}.workers`);
  const parameterServers = pools.parameterServers === undefined ? undefined : buildPool(pools.parameterServers, `${field}.parameterServers`);
  const evaluators = pools.evaluators === undefined ? undefined : buildPool(pools.evaluators, `${field}.evaluators`);
  let reductionServer: IWorkerPoolSpec | undefined;

  if (parameterServers !== undefined && workers === undefined) {
    fail(`${field}.workers`, 'parameter-server training needs a workers pool');
  }
  if (pools.reductionServer !== undefined) {
    // Reduction Server speeds up NCCL all-reduce between GPU replicas; it has nothing to do without them.
    if (workers === undefined) fail(`${field}.workers`, 'a reduction server needs a workers pool');
    for (const [name, pool] of [['chief', chief], ['workers', workers]] as const) {
      if (pool.machineSpec === undefined || pool.machineSpec === null || !hasGpu(pool.machineSpec)) {
        fail(`${field}.${name}.machine.acceleratorType`, 'reduction server training requires GPU replicas (NCCL all-reduce)');
      }
    }
    reductionServer = buildReductionServerPool(pools.reductionServer, `${field}.reductionServer`);
  }

  const slots = [chief, workers, parameterServers ?? reductionServer, evaluators];
  while (slots.length > 1 && slots[slots.length - 1] === undefined) slots.pop();
  // An empty pool keeps the position of a pool that is not used.
  return slots.map((slot) => slot ?? {});
}

function buildPool(pool: PoolInput, field: string): IWorkerPoolSpec {
  const spec: IWorkerPoolSpec = {
    machineSpec: buildMachineSpec(pool.machine, `${field}.machine`, 'training'),
    replicaCount: requireInteger(pool.replicaCount, `${field}.replicaCount`, 1),
  };
  if (pool.disk !== undefined) spec.diskSpec = buildDiskSpec(pool.disk, `${field}.disk`);
  const task = pool.task;
  const hasContainer = task.container !== undefined;
  const hasPackage = task.pythonPackage !== undefined;
  if (hasContainer === hasPackage) fail(`${field}.task`, 'set exactly one of container or pythonPackage');
  if (task.container !== undefined) {
    const c = task.container;
    spec.containerSpec = { imageUri: requireImageUri(c.imageUri, `${field}.task.container.imageUri`) };
    const command = toStringList(c.command, `${field}.task.container.command`);
    const args = toStringList(c.args, `${field}.task.container.args`);
    const env = toEnvVars(c.env, `${field}.task.container.env`);
    if (command !== undefined) spec.containerSpec.command = command;
    if (args !== undefined) spec.containerSpec.args = args;
    if (env !== undefined) spec.containerSpec.env = env;
  } else if (task.pythonPackage !== undefined) {
    const p = task.pythonPackage;
    const base = `${field}.task.pythonPackage`;
    if (p.packageUris.length === 0) fail(`${base}.packageUris`, 'needs at least one gs:// package');
    spec.pythonPackageSpec = {
      executorImageUri: requireImageUri(p.executorImageUri, `${base}.executorImageUri`),
      packageUris: p.packageUris.map((uri, i) => requireGcsUri(uri, `${base}.packageUris[${i}]`)),
      pythonModule: requirePythonModule(p.pythonModule, `${base}.pythonModule`),
    };
    const args = toStringList(p.args, `${base}.args`);
    const env = toEnvVars(p.env, `${base}.env`);
    if (args !== undefined) spec.pythonPackageSpec.args = args;
    if (env !== undefined) spec.pythonPackageSpec.env = env;
  }
  return spec;
}

function buildReductionServerPool(input: ReductionServerInput, field: string): IWorkerPoolSpec {
  const machineSpec = buildMachineSpec({ machineType: input.machineType ?? DEFAULT_REDUCTION_SERVER_MACHINE }, `${field}.machineType`, 'training');
  if (hasAccelerator(machineSpec)) fail(`${field}.machineType`, 'reduction servers run on CPU-only machines');
  return {
    machineSpec,
    replicaCount: requireInteger(input.replicaCount, `${field}.replicaCount`, 1),
    containerSpec: { imageUri: REDUCTION_SERVER_IMAGE },
  };
}

function buildDiskSpec(disk: DiskInput, field: string): IDiskSpec {
  const spec: IDiskSpec = {};
  if (disk.bootDiskType !== undefined) {
    failOn(bootDiskTypeProblem(disk.bootDiskType), `${field}.bootDiskType`);
    spec.bootDiskType = disk.bootDiskType;
  }
  if (disk.bootDiskSizeGb !== undefined) {
    failOn(bootDiskSizeProblem(disk.bootDiskSizeGb), `${field}.bootDiskSizeGb`);
    spec.bootDiskSizeGb = disk.bootDiskSizeGb;
  }
  return spec;
}

const SCHEDULING_STRATEGIES: readonly SchedulingStrategy[] = ['STANDARD', 'SPOT', 'FLEX_START'];

function buildScheduling(input: SchedulingInput, field = 'scheduling'): IScheduling {
  const scheduling: IScheduling = {};
  if (input.timeout !== undefined) scheduling.timeout = toPositiveDuration(input.timeout, `${field}.timeout`);
  if (input.strategy !== undefined) {
    if (!SCHEDULING_STRATEGIES.includes(input.strategy)) fail(`${field}.strategy`, `must be one of ${SCHEDULING_STRATEGIES.join(', ')}, got ${String(input.strategy)}`);
    scheduling.strategy = input.strategy;
  }
  if (input.maxWaitDuration !== undefined) {
    if (input.strategy !== 'FLEX_START') fail(`${field}.maxWaitDuration`, 'only applies with strategy FLEX_START');
    scheduling.maxWaitDuration = toPositiveDuration(input.maxWaitDuration, `${field}.maxWaitDuration`);
  }
  if (input.restartJobOnWorkerRestart !== undefined) scheduling.restartJobOnWorkerRestart = input.restartJobOnWorkerRestart;
  if (input.disableRetries !== undefined) scheduling.disableRetries = input.disableRetries;
  if (scheduling.timeout !== undefined && scheduling.timeout !== null) failOn(jobTimeoutProblem(durationSeconds(scheduling.timeout)), `${field}.timeout`);
  return scheduling;
}

function requirePythonModule(module: string, field: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(module)) {
    fail(field, `must be a dotted Python module name like trainer.task, got ${JSON.stringify(module)}`);
  }
  return module;
}
