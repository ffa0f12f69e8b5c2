// Vertex's documented limits applied while the validator walks a request: display names, labels,
// boot disks, job timeouts, replica counts and machine types. The limits themselves live in
// vertex/shared (limits.ts, labels.ts, machine-types.ts), shared with the request builders.
import { labelProblems } from '../shared/labels.js';
import type { MachineUse } from '../shared/machine-types.js';
import { machineTypeProblem } from '../shared/machine-types.js';
import {
  bootDiskSizeProblem,
  bootDiskTypeProblem,
  displayNameProblem,
  jobTimeoutProblem,
  replicaCountProblem,
} from '../shared/limits.js';
import { isMessageObject, mapKeyPath } from './issues.js';

/** A broken limit: `field` is relative to the message (a field name, or `labels["k"]`). */
export interface RuleProblem {
  readonly field: string;
  readonly problem: string;
}

type MessageRule = (message: Record<string, unknown>, path: string) => RuleProblem[];

const V1 = 'google.cloud.aiplatform.v1.';

/** Resources whose display name the protos limit to 128 characters. */
const NAMED_RESOURCES = ['CustomJob', 'HyperparameterTuningJob', 'PipelineJob', 'Model', 'Endpoint', 'DeployedModel', 'BatchPredictionJob'];

const displayName: MessageRule = (m) => {
  const problem = typeof m.displayName === 'string' ? displayNameProblem(m.displayName) : undefined;
  return problem === undefined ? [] : [{ field: 'displayName', problem }];
};

const labels: MessageRule = (m) => {
  if (!isMessageObject(m.labels)) return [];
  return labelProblems(m.labels).map(({ key, problem }) => ({ field: key === undefined ? 'labels' : mapKeyPath('labels', key), problem }));
};

/** int32/int64 JSON values (number or decimal string) as a number; undefined for other shapes. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function durationSeconds(value: unknown): number | undefined {
  if (!isMessageObject(value)) return undefined;
  const seconds = value.seconds === undefined || value.seconds === null ? 0 : numberOf(value.seconds);
  const nanos = value.nanos === undefined || value.nanos === null ? 0 : numberOf(value.nanos);
  return seconds === undefined || nanos === undefined ? undefined : seconds + nanos / 1e9;
}

function check(field: string, value: number | undefined, rule: (n: number) => string | undefined): RuleProblem[] {
  const problem = value === undefined ? undefined : rule(value);
  return problem === undefined ? [] : [{ field, problem }];
}

/** Worker pools and trials train; deployments and batch jobs predict. */
function machineUseOf(path: string): MachineUse | undefined {
  if (/workerPoolSpecs|trialJobSpec/.test(path)) return 'training';
  if (/dedicatedResources|DedicatedResources/.test(path)) return 'prediction';
  return undefined;
}

const RULES: ReadonlyMap<string, readonly MessageRule[]> = new Map<string, MessageRule[]>([
  ...NAMED_RESOURCES.map((name): [string, MessageRule[]] => [`${V1}${name}`, [displayName, labels]]),
  [`${V1}DiskSpec`, [
    (m) => check('bootDiskSizeGb', m.bootDiskSizeGb === 0 ? undefined : numberOf(m.bootDiskSizeGb), bootDiskSizeProblem),
    (m) => (typeof m.bootDiskType === 'string' && m.bootDiskType !== '' && bootDiskTypeProblem(m.bootDiskType) !== undefined
      ? [{ field: 'bootDiskType', problem: bootDiskTypeProblem(m.bootDiskType)! }]
      : []),
  ]],
  [`${V1}Scheduling`, [(m) => check('timeout', durationSeconds(m.timeout), jobTimeoutProblem)]],
  [`${V1}MachineSpec`, [
    (m, path) => {
      if (typeof m.machineType !== 'string' || m.machineType === '') return [];
      const problem = machineTypeProblem(m.machineType, machineUseOf(path));
      return problem === undefined ? [] : [{ field: 'machineType', problem }];
    },
  ]],
  [`${V1}WorkerPoolSpec`, [
    // An empty pool keeps a position (replicaCount absent or 0); a pool that runs needs replicas.
    (m) => (Object.keys(m).length === 0 || m.replicaCount === undefined ? [] : check('replicaCount', numberOf(m.replicaCount), (n) => replicaCountProblem(n, 1))),
  ]],
  [`${V1}DedicatedResources`, [
    (m) => check('minReplicaCount', numberOf(m.minReplicaCount), (n) => replicaCountProblem(n, 1)),
    (m) => {
      const min = numberOf(m.minReplicaCount);
      const max = numberOf(m.maxReplicaCount);
      if (min === undefined || max === undefined || max === 0) return [];
      return max < min ? [{ field: 'maxReplicaCount', problem: `must be at least minReplicaCount (${min}), got ${max}` }] : [];
    },
  ]],
]);

/** Every documented limit `message` (an instance of `fullName` at `path`) breaks. */
export function ruleProblems(fullName: string, message: Record<string, unknown>, path: string): RuleProblem[] {
  return (RULES.get(fullName) ?? []).flatMap((rule) => rule(message, path));
}
