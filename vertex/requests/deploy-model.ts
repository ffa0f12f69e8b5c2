// DeployModelRequest: puts a model version on an endpoint with its own serving resources.
import type { IDedicatedResources, IDeployModelRequest, IDeployedModel, IEndpoint } from '../shared/proto-types.js';
import { fail, failOn, requireInteger } from '../shared/errors.js';
import { displayNameProblem } from '../shared/limits.js';
import type { MachineSpecInput } from '../shared/machine-spec.js';
import { buildMachineSpec, hasGpu } from '../shared/machine-spec.js';
import { parseEndpointName, parseModelName, requireServiceAccount } from '../shared/resource-names.js';
import type { TrafficSplit } from './traffic-split.js';
import { NEW_DEPLOYED_MODEL_KEY, deployedModelIds, requireChosenDeployedModelId, validateTrafficSplit } from './traffic-split.js';

/** Autoscaling metrics online prediction supports (machine_resources.proto). */
export const AUTOSCALING_METRICS = {
  cpuUtilization: 'aiplatform.googleapis.com/prediction/online/cpu/utilization',
  acceleratorDutyCycle: 'aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle',
  requestCount: 'aiplatform.googleapis.com/prediction/online/request_count',
} as const;

export type AutoscalingMetricName = (typeof AUTOSCALING_METRICS)[keyof typeof AUTOSCALING_METRICS];

export interface AutoscalingTargetInput {
  readonly metricName: AutoscalingMetricName;
  /** Utilization metrics: percent 1-100 (Vertex default 60). request_count: requests per replica. */
  readonly target: number;
}

export interface DedicatedResourcesInput {
  readonly machine: MachineSpecInput;
  /** At least 1. */
  readonly minReplicaCount: number;
  /** Defaults to minReplicaCount (no autoscaling). */
  readonly maxReplicaCount?: number;
  readonly autoscaling?: readonly AutoscalingTargetInput[];
  readonly spot?: boolean;
}

export interface AutomaticResourcesInput {
  readonly minReplicaCount?: number;
  readonly maxReplicaCount?: number;
}

export type ServingResourcesInput =
  | { readonly dedicated: DedicatedResourcesInput; readonly automatic?: never }
  | { readonly automatic: AutomaticResourcesInput; readonly dedicated?: never };

export interface DeployModelInput {
  /** Full endpoint name. */
  readonly endpoint: string;
  /** Full model name, optionally `@version` (id or alias); same project and region as the endpoint. */
  readonly model: string;
  readonly displayName?: string;
  /** Choose the deployed model id (1-10 digits) instead of letting Vertex assign one. */
  readonly deployedModelId?: string;
  readonly resources: ServingResourcesInput;
  /**
   * New split for the whole endpoint; `"0"` is the model being deployed. Omitted or empty:
   * the endpoint's split is unchanged and the new model gets 0%.
   */
  readonly trafficSplit?: TrafficSplit;
  /** The endpoint as returned by getEndpoint: enables checks against what is deployed. */
  readonly currentEndpoint?: IEndpoint;
  readonly enableAccessLogging?: boolean;
  readonly disableContainerLogging?: boolean;
  readonly serviceAccount?: string;
}

export function buildDeployModelRequest(input: DeployModelInput): IDeployModelRequest {
  const endpointRef = parseEndpointName(input.endpoint, 'endpoint');
  const modelRef = parseModelName(input.model, 'model');
  if (modelRef.project !== endpointRef.project || modelRef.location !== endpointRef.location) {
    fail('model', `is in projects/${modelRef.project}/locations/${modelRef.location}; the endpoint is in projects/${endpointRef.project}/locations/${endpointRef.location}`);
  }
  const current = input.currentEndpoint;
  let deployedIds: Set<string> | undefined;
  if (current !== undefined) {
    if (current.name !== input.endpoint) fail('currentEndpoint.name', `is ${JSON.stringify(current.name)}, not the endpoint ${input.endpoint}`);
    deployedIds = deployedModelIds(current);
    if ((current.network ?? '') !== '' && deployedIds.size > 0) {
      fail('endpoint', 'private-service-access endpoints hold one deployed model only; undeploy the current one first');
    }
  }

  const deployedModel: IDeployedModel = { model: input.model };
  if (input.displayName !== undefined) {
    failOn(displayNameProblem(input.displayName), 'displayName');
    deployedModel.displayName = input.displayName;
  }
  if (input.deployedModelId !== undefined) {
    const id = requireChosenDeployedModelId(input.deployedModelId, 'deployedModelId');
    if (id === NEW_DEPLOYED_MODEL_KEY || /^0+$/.test(id)) fail('deployedModelId', '"0" is reserved for "the model being deployed" in trafficSplit');
    if (deployedIds?.has(id) === true) fail('deployedModelId', `${id} is already deployed on this endpoint`);
    deployedModel.id = id;
  }
  const resources = input.resources;
  if ((resources.dedicated === undefined) === (resources.automatic === undefined)) {
    fail('resources', 'set exactly one of dedicated or automatic');
  }
  if (resources.dedicated !== undefined) {
    deployedModel.dedicatedResources = buildDedicatedResources(resources.dedicated, 'resources.dedicated');
  } else if (resources.automatic !== undefined) {
    const min = requireInteger(resources.automatic.minReplicaCount ?? 1, 'resources.automatic.minReplicaCount', 1);
    const max = requireInteger(resources.automatic.maxReplicaCount ?? min, 'resources.automatic.maxReplicaCount', min);
    deployedModel.automaticResources = { minReplicaCount: min, maxReplicaCount: max };
  }
  if (input.enableAccessLogging !== undefined) deployedModel.enableAccessLogging = input.enableAccessLogging;
  if (input.disableContainerLogging !== undefined) deployedModel.disableContainerLogging = input.disableContainerLogging;
  if (input.serviceAccount !== undefined) deployedModel.serviceAccount = requireServiceAccount(input.serviceAccount);

  const request: IDeployModelRequest = { endpoint: input.endpoint, deployedModel };
  if (input.trafficSplit !== undefined && Object.keys(input.trafficSplit).length > 0) {
    if (input.deployedModelId !== undefined && input.deployedModelId in input.trafficSplit) {
      fail(`trafficSplit.${input.deployedModelId}`, 'refer to the model being deployed as "0", not by its new id');
    }
    const split = validateTrafficSplit(input.trafficSplit, { field: 'trafficSplit', deployedIds, allowNewModelKey: true });
    if (!(NEW_DEPLOYED_MODEL_KEY in split)) fail('trafficSplit', 'a non-empty split replaces the endpoint\'s split: include "0" for the model being deployed (0 for none)');
    request.trafficSplit = split;
  }
  return request;
}

function buildDedicatedResources(input: DedicatedResourcesInput, field: string): IDedicatedResources {
  const machineSpec = buildMachineSpec(input.machine, `${field}.machine`, 'prediction');
  const minReplicaCount = requireInteger(input.minReplicaCount, `${field}.minReplicaCount`, 1);
  const maxReplicaCount = requireInteger(input.maxReplicaCount ?? minReplicaCount, `${field}.maxReplicaCount`, minReplicaCount);
  const resources: IDedicatedResources = { machineSpec, minReplicaCount, maxReplicaCount };
  if (input.autoscaling !== undefined && input.autoscaling.length > 0) {
    const known: readonly string[] = Object.values(AUTOSCALING_METRICS);
    const seen = new Set<string>();
    resources.autoscalingMetricSpecs = input.autoscaling.map((spec, i) => {
      const here = `${field}.autoscaling[${i}]`;
      if (!known.includes(spec.metricName)) fail(`${here}.metricName`, `must be one of ${known.join(', ')}, got ${JSON.stringify(spec.metricName)}`);
      if (seen.has(spec.metricName)) fail(`${here}.metricName`, `duplicate metric ${spec.metricName}`);
      seen.add(spec.metricName);
      if (spec.metricName === AUTOSCALING_METRICS.acceleratorDutyCycle && !hasGpu(machineSpec)) {
        fail(`${here}.metricName`, 'accelerator duty cycle needs a machine with GPUs');
      }
      const isPercent = spec.metricName !== AUTOSCALING_METRICS.requestCount;
      const target = requireInteger(spec.target, `${here}.target`, 1, isPercent ? 100 : 2 ** 31 - 1);
      return { metricName: spec.metricName, target };
    });
  }
  if (input.spot !== undefined) resources.spot = input.spot;
  return resources;
}
