// A CustomJobSpec's worker pools as the replicas to start. Vertex's positional roles: pool 0 is the
// chief (exactly one replica), 1 workers, 2 parameter servers (or a reduction server), 3 evaluators;
// an empty `{}` pool keeps the positions.
import { invalidArgument } from '../api/errors.js';
import { machineTypeCpus } from '../../../vertex/shared/machine-types.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';

export interface PoolRole {
  /** CLUSTER_SPEC task type. */
  clusterType: string;
  /** TF_CONFIG task type. */
  tfType: 'chief' | 'worker' | 'ps' | 'evaluator';
}

const POOL_ROLES: readonly PoolRole[] = [
  { clusterType: 'workerpool0', tfType: 'chief' },
  { clusterType: 'workerpool1', tfType: 'worker' },
  { clusterType: 'workerpool2', tfType: 'ps' },
  { clusterType: 'workerpool3', tfType: 'evaluator' },
];

export interface PoolLaunch {
  image: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** gs:// packages to make importable (pythonPackageSpec). */
  packageUris: string[];
  /** vCPUs of the pool's machine type (every replica gets that many cores); undefined when the name doesn't say. */
  cpus?: number;
}

export interface WorkerPool {
  index: number;
  role: PoolRole;
  replicaCount: number;
  launch: PoolLaunch | undefined;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

function envOf(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (!Array.isArray(value)) return env;
  for (const entry of value) {
    if (isPlainObject(entry) && typeof entry.name === 'string') env[entry.name] = typeof entry.value === 'string' ? entry.value : '';
  }
  return env;
}

function isEmptyPool(pool: JsonObject): boolean {
  return Object.keys(pool).length === 0;
}

/**
 * The pools of a proto-valid CustomJobSpec, with the checks Vertex makes beyond the proto.
 * `field` is the spec's snake_case path for messages (`custom_job.job_spec`).
 */
export function workerPoolsOf(jobSpec: JsonObject, field: string): WorkerPool[] {
  const specs = Array.isArray(jobSpec.workerPoolSpecs) ? jobSpec.workerPoolSpecs : [];
  const at = (i: number, sub = '') => `${field}.worker_pool_specs[${i}]${sub}`;
  if (specs.length === 0) throw invalidArgument(`${field}.worker_pool_specs must have at least one worker pool.`, `${field}.worker_pool_specs`);
  if (specs.length > POOL_ROLES.length) {
    throw invalidArgument(`${field}.worker_pool_specs has ${specs.length} pools; at most ${POOL_ROLES.length} are allowed (chief, workers, parameter servers, evaluators).`, `${field}.worker_pool_specs`);
  }
  return specs.map((raw: unknown, index) => {
    const pool = isPlainObject(raw) ? raw : {};
    const role = POOL_ROLES[index]!;
    if (isEmptyPool(pool)) {
      if (index === 0) throw invalidArgument(`${at(0)} (the chief pool) must not be empty.`, at(0));
      return { index, role, replicaCount: 0, launch: undefined };
    }
    const count = pool.replicaCount === undefined ? 1 : Number(pool.replicaCount);
    if (!Number.isSafeInteger(count) || count < 1) throw invalidArgument(`${at(index, '.replica_count')} must be at least 1, got ${String(pool.replicaCount)}.`, at(index, '.replica_count'));
    if (index === 0 && count !== 1) throw invalidArgument(`${at(0, '.replica_count')} must be 1: the first worker pool holds the single chief replica, got ${count}.`, at(0, '.replica_count'));
    const machine = isPlainObject(pool.machineSpec) ? pool.machineSpec : undefined;
    if (typeof machine?.machineType !== 'string' || machine.machineType === '') {
      throw invalidArgument(`${at(index, '.machine_spec.machine_type')} must be set.`, at(index, '.machine_spec.machine_type'));
    }
    const cpus = machineTypeCpus(machine.machineType);
    return { index, role, replicaCount: count, launch: { ...launchOf(pool, at(index)), ...(cpus !== undefined ? { cpus } : {}) } };
  });
}

function launchOf(pool: JsonObject, at: string): PoolLaunch {
  if (isPlainObject(pool.containerSpec)) {
    const c = pool.containerSpec;
    return { image: text(c.imageUri), command: strings(c.command), args: strings(c.args), env: envOf(c.env), packageUris: [] };
  }
  if (isPlainObject(pool.pythonPackageSpec)) {
    const p = pool.pythonPackageSpec;
    return {
      image: text(p.executorImageUri),
      command: ['python3', '-m', text(p.pythonModule)],
      args: strings(p.args),
      env: envOf(p.env),
      packageUris: strings(p.packageUris),
    };
  }
  throw invalidArgument(`${at} must set container_spec or python_package_spec.`, at);
}
