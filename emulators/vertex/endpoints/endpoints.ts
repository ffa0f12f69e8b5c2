// Endpoint resources and the models deployed to them. Deploy and undeploy are long-running
// operations that start/stop local model servers through the serving runtime; the endpoint only
// changes once the server is healthy (deploy) or stopped (undeploy). Changes to one endpoint are
// serialized; `etag` guards read-modify-write updates (a stale one is ABORTED, as AIP-154 says).
import { randomBytes } from 'node:crypto';
import { emulatorLog } from '../../kit/log.js';
import { KeyedMutex } from '../../kit/keyed-mutex.js';
import { aborted, alreadyExists, failedPrecondition, invalidArgument, notFound } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import { listPage } from '../api/list.js';
import { parentOf } from '../api/names.js';
import type { QueryValues } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { parseModelRef } from '../models/model-names.js';
import type { Operation, Operations } from '../operations/operations.js';
import type { EndpointRuntime, PredictResult } from '../serving/index.js';
import type { JsonStore } from '../state/json-store.js';
import type { TrafficSplit } from './traffic.js';
import { checkSplit, splitAfterDeploy, splitAfterUndeploy, withoutZeros } from './traffic.js';

export type ServingRuntime = Pick<EndpointRuntime, 'deploy' | 'undeploy' | 'predict' | 'stopAll'>;

// CreateEndpointRequest.endpoint_id: a letter then up to 62 of [a-z0-9-] (not ending in '-'),
// or up to 9 digits without a leading zero.
const ENDPOINT_ID = /^(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|[1-9][0-9]{0,8})$/;
// DeployedModel.id: 1-10 digits when chosen by the caller.
const DEPLOYED_MODEL_ID = /^[0-9]{1,10}$/;

const UPDATABLE = new Set([
  'display_name',
  'description',
  'labels',
  'traffic_split',
  'predict_request_response_logging_config',
  'client_connection_config',
  'dedicated_endpoint_enabled',
  'gen_ai_advanced_features_config',
]);

const newEtag = () => randomBytes(12).toString('base64url');
const deployedOf = (endpoint: JsonObject): JsonObject[] => (Array.isArray(endpoint.deployedModels) ? endpoint.deployedModels.filter(isPlainObject) : []);
const splitOf = (endpoint: JsonObject): TrafficSplit => (isPlainObject(endpoint.trafficSplit) ? (endpoint.trafficSplit as TrafficSplit) : {});
const snakeToCamel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

export class EndpointService {
  private readonly locks = new KeyedMutex();

  constructor(
    private readonly store: JsonStore<JsonObject>,
    private readonly operations: Operations,
    private readonly models: ModelRegistry,
    private readonly runtime: ServingRuntime,
  ) {}

  get(name: string): JsonObject {
    const endpoint = this.store.get(name);
    if (!endpoint) throw notFound(`Endpoint ${name} not found.`);
    return endpoint;
  }

  list(parent: string, params: QueryValues): JsonObject {
    return listPage(this.store.values().filter((e) => parentOf(String(e.name)) === parent), params, 'endpoints');
  }

  async create(parent: string, body: unknown, endpointId: string | undefined): Promise<Operation> {
    assertValidWireRequest('CreateEndpointRequest', { parent, endpoint: body, ...(endpointId ? { endpointId } : {}) });
    const endpoint = canonical('Endpoint', body);
    if (endpointId !== undefined && !ENDPOINT_ID.test(endpointId)) {
      throw invalidArgument(`Invalid endpoint_id "${endpointId}": a lowercase letter followed by up to 62 of [a-z0-9-] (not ending in "-"), or up to 9 digits without a leading zero.`, 'endpoint_id');
    }
    if (endpoint.trafficSplit !== undefined && Object.keys(splitOf(endpoint)).length > 0) {
      throw invalidArgument('endpoint.traffic_split must be empty when the endpoint is created: no model is deployed yet.', 'endpoint.traffic_split');
    }
    const name = `${parent}/endpoints/${endpointId ?? numericId()}`;
    if (this.store.has(name)) throw alreadyExists(`Endpoint ${name} already exists.`);
    return this.operations.start({
      under: name,
      metadataType: 'CreateEndpointOperationMetadata',
      run: () =>
        this.locks.run(name, async () => {
          if (this.store.has(name)) throw alreadyExists(`Endpoint ${name} already exists.`);
          const now = nowTimestamp();
          const stored: JsonObject = { ...endpoint, name, createTime: now, updateTime: now, etag: newEtag() };
          delete stored.trafficSplit;
          await this.store.put(name, stored);
          return { responseType: 'google.cloud.aiplatform.v1.Endpoint', response: structuredClone(stored) };
        }),
    });
  }

  async update(name: string, body: unknown, mask: string[] | undefined): Promise<JsonObject> {
    const patchWire = isPlainObject(body) ? body : {};
    assertValidWireRequest('UpdateEndpointRequest', { endpoint: { ...patchWire, name }, ...(mask ? { updateMask: mask.join(',') } : {}) });
    if (mask === undefined || mask.length === 0) throw invalidArgument('update_mask is required: name the fields to change, e.g. traffic_split.', 'update_mask');
    for (const path of mask) {
      const top = path.split('.')[0] ?? path;
      if (!UPDATABLE.has(top)) throw invalidArgument(`Field "${path}" of Endpoint cannot be updated; updatable: ${[...UPDATABLE].join(', ')}.`, 'update_mask');
    }
    const patch = canonical('Endpoint', patchWire);
    return this.locks.run(name, async () => {
      const endpoint = this.get(name);
      if (typeof patch.etag === 'string' && patch.etag !== '' && patch.etag !== endpoint.etag) {
        throw aborted(`The etag "${patch.etag}" of Endpoint ${name} is stale: the endpoint was changed by another request. Read it again and retry.`);
      }
      const next = structuredClone(endpoint);
      for (const path of mask) {
        const [top = '', ...rest] = path.split('.');
        const key = snakeToCamel(top);
        if (rest.length > 0 && isPlainObject(patch[key])) {
          // `labels.team`: one map entry or sub-field.
          const target = isPlainObject(next[key]) ? next[key] : (next[key] = {});
          const sub = rest.join('.');
          const source = patch[key];
          const subKey = key === 'labels' ? sub : snakeToCamel(sub);
          if (source[subKey] === undefined) delete target[subKey];
          else target[subKey] = source[subKey];
        } else if (patch[key] === undefined) {
          delete next[key];
        } else {
          next[key] = patch[key];
        }
      }
      if (mask.includes('display_name') && (typeof next.displayName !== 'string' || next.displayName === '')) {
        throw invalidArgument('endpoint.display_name must not be empty.', 'endpoint.display_name');
      }
      if (mask.some((p) => p.startsWith('traffic_split'))) {
        const deployed = new Set(deployedOf(next).map((d) => String(d.id)));
        const split = splitOf(next);
        if (deployed.size === 0) {
          if (Object.values(split).some((p) => p > 0)) throw invalidArgument('endpoint.traffic_split: the endpoint has no deployed models.', 'endpoint.traffic_split');
        } else {
          checkSplit(split, deployed, 'endpoint.traffic_split');
        }
        if (typeof next.network === 'string' && next.network !== '' && Object.values(split).filter((p) => p > 0).length > 1) {
          throw invalidArgument('endpoint.traffic_split: a private-service-access endpoint serves one model; traffic cannot be split.', 'endpoint.traffic_split');
        }
        next.trafficSplit = withoutZeros(split);
      }
      next.updateTime = nowTimestamp();
      next.etag = newEtag();
      await this.store.put(name, next);
      return next;
    });
  }

  async delete(name: string): Promise<Operation> {
    const endpoint = this.get(name);
    const deployed = deployedOf(endpoint);
    if (deployed.length > 0) {
      throw failedPrecondition(`Endpoint ${name} has ${deployed.length} deployed model(s) (${deployed.map((d) => String(d.id)).join(', ')}); undeploy them before deleting the endpoint.`);
    }
    return this.operations.start({
      under: parentOf(name),
      metadataType: 'DeleteOperationMetadata',
      run: () =>
        this.locks.run(name, async () => {
          if (deployedOf(this.get(name)).length > 0) throw failedPrecondition(`Endpoint ${name} has deployed models; undeploy them first.`);
          await this.store.delete(name);
          return { responseType: 'google.protobuf.Empty', response: {} };
        }),
    });
  }

  async deployModel(name: string, body: unknown): Promise<Operation> {
    assertValidWireRequest('DeployModelRequest', { ...(isPlainObject(body) ? body : {}), endpoint: name });
    const request = canonical('DeployModelRequest', body);
    const endpoint = this.get(name);
    const deployedModel = isPlainObject(request.deployedModel) ? request.deployedModel : {};
    const requestedSplit = isPlainObject(request.trafficSplit) ? (request.trafficSplit as TrafficSplit) : {};
    const modelName = text(deployedModel.model);
    const ref = parseModelRef(modelName);
    if (ref.parent !== parentOf(name)) throw invalidArgument(`deployed_model.model ${modelName} is not in the endpoint's location ${parentOf(name)}.`, 'deployed_model.model');
    const version = this.models.resolve(modelName);
    checkResources(deployedModel);
    const current = deployedOf(endpoint);
    const ids = new Set(current.map((d) => String(d.id)));
    const id = typeof deployedModel.id === 'string' && deployedModel.id !== '' ? deployedModel.id : numericId();
    if (deployedModel.id !== undefined && !DEPLOYED_MODEL_ID.test(id)) throw invalidArgument(`deployed_model.id "${id}" must be 1 to 10 digits.`, 'deployed_model.id');
    if (ids.has(id)) throw alreadyExists(`A deployed model with id ${id} already exists on ${name}.`);
    if (Object.keys(requestedSplit).length > 0) checkSplit(requestedSplit, ids, 'traffic_split', { allowNewModelKey: true });
    if (typeof endpoint.network === 'string' && endpoint.network !== '' && current.length > 0) {
      throw failedPrecondition(`Endpoint ${name} is a private-service-access endpoint and already serves a model; it holds one model only.`);
    }

    return this.operations.start({
      under: name,
      metadataType: 'DeployModelOperationMetadata',
      run: () =>
        this.locks.run(name, async () => {
          const before = this.get(name);
          const idsNow = new Set(deployedOf(before).map((d) => String(d.id)));
          if (idsNow.has(id)) throw alreadyExists(`A deployed model with id ${id} already exists on ${name}.`);
          // Another deploy may have landed since the request was checked: its split must still fit.
          if (Object.keys(requestedSplit).length > 0) checkSplit(requestedSplit, idsNow, 'traffic_split', { allowNewModelKey: true });
          await this.runtime.deploy(name, id, version);
          const now = nowTimestamp();
          const replicas = isPlainObject(deployedModel.dedicatedResources) ? Number(deployedModel.dedicatedResources.minReplicaCount ?? 1) : 1;
          const record: JsonObject = {
            ...deployedModel,
            id,
            model: ref.baseName,
            modelVersionId: String(version.versionId),
            displayName: typeof deployedModel.displayName === 'string' && deployedModel.displayName !== '' ? deployedModel.displayName : version.displayName,
            createTime: now,
            status: { lastUpdateTime: now, availableReplicaCount: replicas },
          };
          const next = structuredClone(before);
          next.deployedModels = [...deployedOf(before), record];
          next.trafficSplit = splitAfterDeploy(splitOf(before), requestedSplit, id, idsNow.size);
          next.updateTime = now;
          next.etag = newEtag();
          await this.store.put(name, next);
          await this.models.setDeployment(ref, String(version.versionId), name, id, true);
          emulatorLog('INFO', 'vertex: model deployed', { service: 'vertex', endpoint: name, deployedModelId: id, model: `${ref.baseName}@${String(version.versionId)}` });
          return { responseType: 'google.cloud.aiplatform.v1.DeployModelResponse', response: { deployedModel: record } };
        }),
    });
  }

  async undeployModel(name: string, body: unknown): Promise<Operation> {
    assertValidWireRequest('UndeployModelRequest', { ...(isPlainObject(body) ? body : {}), endpoint: name });
    const request = canonical('UndeployModelRequest', body);
    const id = text(request.deployedModelId);
    const requestedSplit = isPlainObject(request.trafficSplit) ? (request.trafficSplit as TrafficSplit) : {};
    const plan = (endpoint: JsonObject) => {
      const deployed = deployedOf(endpoint);
      const target = deployed.find((d) => d.id === id);
      if (!target) throw notFound(`Deployed model ${id} not found on ${name}.`);
      const remaining = new Set(deployed.filter((d) => d.id !== id).map((d) => String(d.id)));
      return { target, split: splitAfterUndeploy(splitOf(endpoint), requestedSplit, id, remaining, name) };
    };
    plan(this.get(name));
    return this.operations.start({
      under: name,
      metadataType: 'UndeployModelOperationMetadata',
      run: () =>
        this.locks.run(name, async () => {
          const before = this.get(name);
          const { target, split } = plan(before);
          await this.runtime.undeploy(name, id);
          const next = structuredClone(before);
          next.deployedModels = deployedOf(before).filter((d) => d.id !== id);
          next.trafficSplit = split;
          next.updateTime = nowTimestamp();
          next.etag = newEtag();
          await this.store.put(name, next);
          if (typeof target.model === 'string') await this.models.setDeployment(parseModelRef(target.model), String(target.modelVersionId), name, id, false);
          emulatorLog('INFO', 'vertex: model undeployed', { service: 'vertex', endpoint: name, deployedModelId: id });
          return { responseType: 'google.cloud.aiplatform.v1.UndeployModelResponse', response: {} };
        }),
    });
  }

  async predict(name: string, body: unknown, raw: boolean): Promise<PredictResult> {
    const endpoint = this.get(name);
    return this.runtime.predict(endpoint, body, { raw });
  }

  /** After a restart, deployed models get their servers back (in the background). */
  redeployAll(): Promise<void>[] {
    const work: Promise<void>[] = [];
    for (const endpoint of this.store.values()) {
      for (const deployed of deployedOf(endpoint)) {
        const name = String(endpoint.name);
        const model = `${String(deployed.model)}@${String(deployed.modelVersionId)}`;
        work.push(
          (async () => {
            try {
              await this.runtime.deploy(name, String(deployed.id), this.models.resolve(model));
              emulatorLog('INFO', 'vertex: deployed model restarted', { service: 'vertex', endpoint: name, deployedModelId: deployed.id });
            } catch (err) {
              emulatorLog('ERROR', 'vertex: deployed model could not be restarted; predictions to it fail until it is redeployed', { service: 'vertex', endpoint: name, deployedModelId: deployed.id, error: String(err) });
            }
          })(),
        );
      }
    }
    return work;
  }
}

/** Custom-trained models deploy on dedicated resources (their supportedDeploymentResourcesTypes). */
function checkResources(deployedModel: JsonObject): void {
  if (deployedModel.automaticResources !== undefined) {
    throw invalidArgument('deployed_model.automatic_resources: this model supports DEDICATED_RESOURCES only; set deployed_model.dedicated_resources.', 'deployed_model.automatic_resources');
  }
  if (deployedModel.sharedResources !== undefined) {
    throw invalidArgument('deployed_model.shared_resources (deployment resource pools) is not supported by the local emulator; set deployed_model.dedicated_resources.', 'deployed_model.shared_resources');
  }
  const dedicated = isPlainObject(deployedModel.dedicatedResources) ? deployedModel.dedicatedResources : undefined;
  if (!dedicated) throw invalidArgument('deployed_model.dedicated_resources is required.', 'deployed_model.dedicated_resources');
  const min = Number(dedicated.minReplicaCount ?? 0);
  const max = Number(dedicated.maxReplicaCount ?? 0) || min;
  if (!(min >= 1)) throw invalidArgument('deployed_model.dedicated_resources.min_replica_count must be at least 1.', 'deployed_model.dedicated_resources.min_replica_count');
  if (max < min) throw invalidArgument(`deployed_model.dedicated_resources.max_replica_count (${max}) is below min_replica_count (${min}).`, 'deployed_model.dedicated_resources.max_replica_count');
}
