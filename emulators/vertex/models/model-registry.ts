// The Model Registry: every version of a model is one stored Model resource (same `name`, its own
// `versionId`). Exactly one version holds the `default` alias: the first version gets it, a later
// one only when asked for it; `models/ID` means the default version.
import { emulatorLog } from '../../kit/log.js';
import { aborted, alreadyExists, failedPrecondition, invalidArgument, notFound } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import { listPage } from '../api/list.js';
import type { QueryValues } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { Operation, Operations } from '../operations/operations.js';
import type { JsonStore } from '../state/json-store.js';
import { KeyedMutex } from '../../kit/keyed-mutex.js';
import { isPrebuiltServingImage } from '../../../vertex/requests/prebuilt-containers.js';
import type { ModelRef } from './model-names.js';
import { DEFAULT_ALIAS, MODEL_ID, VERSION_ALIAS, parseModelRef } from './model-names.js';
import { randomBytes } from 'node:crypto';

const versionKey = (baseName: string, versionId: string) => `${baseName}@${versionId}`;
const newEtag = () => randomBytes(12).toString('base64url');
const aliasesOf = (model: JsonObject): string[] => (Array.isArray(model.versionAliases) ? model.versionAliases.map(String) : []);

export class ModelRegistry {
  private readonly locks = new KeyedMutex();
  /** Runs after a model (versionId undefined) or one version was deleted, e.g. to drop its evaluations. */
  afterDelete: (baseName: string, versionId?: string) => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly store: JsonStore<JsonObject>,
    private readonly operations: Operations,
  ) {}

  versions(baseName: string): JsonObject[] {
    return this.store
      .values()
      .filter((m) => m.name === baseName)
      .sort((a, b) => Number(a.versionId) - Number(b.versionId));
  }

  /** The version a name means: `@N`, `@alias`, or (no suffix) the default version. */
  resolve(name: string): JsonObject {
    const ref = parseModelRef(name);
    const versions = this.versions(ref.baseName);
    if (versions.length === 0) throw notFound(`Model ${ref.baseName} not found.`);
    const wanted = ref.version ?? DEFAULT_ALIAS;
    const found = /^\d+$/.test(wanted) ? versions.find((v) => v.versionId === wanted) : versions.find((v) => aliasesOf(v).includes(wanted));
    if (!found) throw notFound(`Model ${name} not found: the model has no version or alias "${wanted}".`);
    return found;
  }

  list(parent: string, params: QueryValues): JsonObject {
    const defaults = this.store.values().filter((m) => String(m.name).startsWith(`${parent}/models/`) && aliasesOf(m).includes(DEFAULT_ALIAS));
    return listPage(defaults, params, 'models');
  }

  listVersions(name: string, params: QueryValues): JsonObject {
    const ref = parseModelRef(name);
    const versions = this.versions(ref.baseName);
    if (versions.length === 0) throw notFound(`Model ${ref.baseName} not found.`);
    return listPage(versions, { orderBy: 'version_create_time', ...params }, 'models');
  }

  async upload(parent: string, body: unknown): Promise<Operation> {
    assertValidWireRequest('UploadModelRequest', { ...(isPlainObject(body) ? body : {}), parent });
    const request = canonical('UploadModelRequest', body);
    const model = isPlainObject(request.model) ? request.model : {};
    checkUploadedModel(model);
    let baseName: string;
    if (typeof request.parentModel === 'string' && request.parentModel !== '') {
      const ref = parseModelRef(request.parentModel);
      if (ref.version !== undefined) throw invalidArgument(`parent_model must name the model without a version, got ${request.parentModel}.`, 'parent_model');
      if (ref.parent !== parent) throw invalidArgument(`parent_model ${request.parentModel} is not in ${parent}.`, 'parent_model');
      if (this.versions(ref.baseName).length === 0) throw notFound(`Model ${ref.baseName} not found.`);
      if (typeof request.modelId === 'string' && request.modelId !== '' && request.modelId !== ref.modelId) {
        throw invalidArgument(`model_id "${request.modelId}" differs from the id of parent_model ${ref.baseName}.`, 'model_id');
      }
      baseName = ref.baseName;
    } else if (typeof request.modelId === 'string' && request.modelId !== '') {
      if (!MODEL_ID.test(request.modelId)) {
        throw invalidArgument(`Invalid model_id "${request.modelId}": up to 63 characters of [a-z0-9_-], not starting with a digit or hyphen.`, 'model_id');
      }
      baseName = `${parent}/models/${request.modelId}`;
      if (this.versions(baseName).length > 0) throw alreadyExists(`Model ${baseName} already exists; upload a new version with parent_model.`);
    } else {
      baseName = `${parent}/models/${numericId()}`;
    }
    const newModel = baseName !== request.parentModel;
    return this.operations.start({
      under: baseName,
      metadataType: 'UploadModelOperationMetadata',
      run: () =>
        this.locks.run(baseName, async () => {
          if (newModel && this.versions(baseName).length > 0) throw alreadyExists(`Model ${baseName} already exists.`);
          const version = await this.addVersion(baseName, model);
          emulatorLog('INFO', 'vertex: model version uploaded', { service: 'vertex', model: baseName, versionId: version.versionId });
          return { responseType: 'google.cloud.aiplatform.v1.UploadModelResponse', response: { model: baseName, modelVersionId: String(version.versionId) } };
        }),
    });
  }

  private async addVersion(baseName: string, model: JsonObject): Promise<JsonObject> {
    const existing = this.versions(baseName);
    const versionId = String(existing.reduce((max, v) => Math.max(max, Number(v.versionId)), 0) + 1);
    const requested = aliasesOf(model);
    const aliases = existing.length === 0 && !requested.includes(DEFAULT_ALIAS) ? [DEFAULT_ALIAS, ...requested] : requested;
    const now = nowTimestamp();
    const first = existing[0];
    const record: JsonObject = {
      ...model,
      name: baseName,
      versionId,
      versionAliases: aliases,
      createTime: typeof first?.createTime === 'string' ? first.createTime : now,
      updateTime: now,
      versionCreateTime: now,
      versionUpdateTime: now,
      etag: newEtag(),
      supportedDeploymentResourcesTypes: ['DEDICATED_RESOURCES'],
      modelSourceInfo: { sourceType: 'CUSTOM' },
    };
    delete record.deployedModels;
    // An alias names one version: taking it moves it off whichever version had it.
    for (const other of existing) await this.removeAliases(other, aliases);
    await this.store.put(versionKey(baseName, versionId), record);
    return record;
  }

  private async removeAliases(version: JsonObject, aliases: readonly string[]): Promise<void> {
    const kept = aliasesOf(version).filter((a) => !aliases.includes(a));
    if (kept.length === aliasesOf(version).length) return;
    version.versionAliases = kept;
    version.versionUpdateTime = nowTimestamp();
    version.etag = newEtag();
    await this.store.put(versionKey(String(version.name), String(version.versionId)), version);
  }

  async mergeVersionAliases(name: string, body: unknown): Promise<JsonObject> {
    assertValidWireRequest('MergeVersionAliasesRequest', { ...(isPlainObject(body) ? body : {}), name });
    const request = canonical('MergeVersionAliasesRequest', body);
    const ref = parseModelRef(name);
    if (ref.version === undefined) throw invalidArgument(`name must include a version (${name}@VERSION_ID).`, 'name');
    const target = this.resolve(name);
    const changes = Array.isArray(request.versionAliases) ? request.versionAliases.map(String) : [];
    if (changes.length === 0) throw invalidArgument('version_aliases must not be empty.', 'version_aliases');
    const add: string[] = [];
    const remove: string[] = [];
    for (const [i, change] of changes.entries()) {
      const alias = change.startsWith('-') ? change.slice(1) : change;
      if (!VERSION_ALIAS.test(alias)) throw invalidArgument(`version_aliases[${i}] "${change}": an alias matches [a-z][a-zA-Z0-9-]{0,126}[a-z0-9], optionally prefixed with "-" to remove it.`, `version_aliases[${i}]`);
      if (change.startsWith('-')) {
        if (alias === DEFAULT_ALIAS) {
          throw invalidArgument('The "default" alias cannot be removed: every model has exactly one default version. Move it by adding "default" to another version.', `version_aliases[${i}]`);
        }
        remove.push(alias);
      } else {
        add.push(alias);
      }
    }
    return this.locks.run(ref.baseName, async () => {
      for (const other of this.versions(ref.baseName)) if (other.versionId !== target.versionId) await this.removeAliases(other, add);
      const aliases = [...aliasesOf(target).filter((a) => !remove.includes(a) && !add.includes(a)), ...add];
      target.versionAliases = aliases;
      target.versionUpdateTime = nowTimestamp();
      target.updateTime = target.versionUpdateTime;
      target.etag = newEtag();
      await this.store.put(versionKey(ref.baseName, String(target.versionId)), target);
      return target;
    });
  }

  /** UpdateModel: display_name, description, labels, version_aliases, version_description. */
  async update(name: string, body: unknown, mask: string[] | undefined): Promise<JsonObject> {
    const model = isPlainObject(body) ? body : {};
    assertValidWireRequest('UpdateModelRequest', { model: { ...model, name }, updateMask: (mask ?? []).join(',') });
    if (mask === undefined || mask.length === 0) throw invalidArgument('update_mask is required.', 'update_mask');
    const patch = canonical('Model', model);
    const target = this.resolve(name);
    if (typeof patch.etag === 'string' && patch.etag !== '' && patch.etag !== target.etag) {
      throw aborted(`The etag "${patch.etag}" of Model ${name} is stale: the model was changed by another request. Read it again and retry.`);
    }
    const updatable = ['display_name', 'description', 'labels', 'version_description'];
    for (const path of mask) {
      if (path === 'version_aliases') throw invalidArgument('Use models.mergeVersionAliases to change version_aliases.', 'update_mask');
      if (!updatable.includes(path)) throw invalidArgument(`Field "${path}" of Model cannot be updated; updatable: ${updatable.join(', ')}.`, 'update_mask');
    }
    const ref = parseModelRef(name);
    return this.locks.run(ref.baseName, async () => {
      for (const path of mask) {
        const key = path.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        if (patch[key] === undefined) delete target[key];
        else target[key] = patch[key];
      }
      target.updateTime = nowTimestamp();
      target.versionUpdateTime = target.updateTime;
      target.etag = newEtag();
      await this.store.put(versionKey(ref.baseName, String(target.versionId)), target);
      return target;
    });
  }

  async delete(name: string): Promise<Operation> {
    const ref = parseModelRef(name);
    if (ref.version !== undefined) throw invalidArgument(`To delete one version use :deleteVersion; DeleteModel takes the model name without @${ref.version}.`, 'name');
    const versions = this.versions(ref.baseName);
    if (versions.length === 0) throw notFound(`Model ${ref.baseName} not found.`);
    const deployed = versions.find((v) => Array.isArray(v.deployedModels) && v.deployedModels.length > 0);
    if (deployed) throw failedPrecondition(`Model ${ref.baseName} cannot be deleted: version ${String(deployed.versionId)} is deployed to ${describeDeployments(deployed)}. Undeploy it first.`);
    return this.operations.start({
      under: ref.baseName,
      metadataType: 'DeleteOperationMetadata',
      run: () =>
        this.locks.run(ref.baseName, async () => {
          for (const v of this.versions(ref.baseName)) await this.store.delete(versionKey(ref.baseName, String(v.versionId)));
          await this.afterDelete(ref.baseName);
          return { responseType: 'google.protobuf.Empty', response: {} };
        }),
    });
  }

  async deleteVersion(name: string): Promise<Operation> {
    const ref = parseModelRef(name);
    if (ref.version === undefined) throw invalidArgument(`name must include a version (${name}@VERSION_ID).`, 'name');
    const version = this.resolve(name);
    if (aliasesOf(version).includes(DEFAULT_ALIAS)) {
      throw failedPrecondition(`Version ${String(version.versionId)} of ${ref.baseName} holds the "default" alias and cannot be deleted; move the alias first, or delete the whole model.`);
    }
    if (Array.isArray(version.deployedModels) && version.deployedModels.length > 0) {
      throw failedPrecondition(`Version ${String(version.versionId)} of ${ref.baseName} is deployed to ${describeDeployments(version)}. Undeploy it first.`);
    }
    return this.operations.start({
      under: ref.baseName,
      metadataType: 'DeleteOperationMetadata',
      run: async () => {
        await this.store.delete(versionKey(ref.baseName, String(version.versionId)));
        await this.afterDelete(ref.baseName, String(version.versionId));
        return { responseType: 'google.protobuf.Empty', response: {} };
      },
    });
  }

  /** Records on the model version that it is (or no longer is) deployed to an endpoint. */
  async setDeployment(model: Pick<ModelRef, 'baseName'>, versionId: string, endpoint: string, deployedModelId: string, deployed: boolean): Promise<void> {
    await this.locks.run(model.baseName, async () => {
      const version = this.store.get(versionKey(model.baseName, versionId));
      if (!version) return;
      const refs = (Array.isArray(version.deployedModels) ? version.deployedModels : []).filter(
        (r) => !(isPlainObject(r) && r.endpoint === endpoint && r.deployedModelId === deployedModelId),
      );
      if (deployed) refs.push({ endpoint, deployedModelId });
      if (refs.length > 0) version.deployedModels = refs;
      else delete version.deployedModels;
      await this.store.put(versionKey(model.baseName, versionId), version);
    });
  }
}

function describeDeployments(version: JsonObject): string {
  const refs = Array.isArray(version.deployedModels) ? version.deployedModels.filter(isPlainObject) : [];
  return refs.map((r) => `${String(r.endpoint)} (deployed model ${String(r.deployedModelId)})`).join(', ');
}

function checkUploadedModel(model: JsonObject): void {
  const container = isPlainObject(model.containerSpec) ? model.containerSpec : undefined;
  if (!container) throw invalidArgument('model.container_spec is required for a custom-trained model: it names the serving image.', 'model.container_spec');
  if (typeof container.imageUri === 'string' && isPrebuiltServingImage(container.imageUri) && !model.artifactUri) {
    throw invalidArgument(`model.artifact_uri is required with the prebuilt serving image ${container.imageUri}: it loads the model from there.`, 'model.artifact_uri');
  }
  const seen = new Set<string>();
  for (const [i, alias] of aliasesOf(model).entries()) {
    if (!VERSION_ALIAS.test(alias)) throw invalidArgument(`model.version_aliases[${i}] "${alias}" must match [a-z][a-zA-Z0-9-]{0,126}[a-z0-9].`, `model.version_aliases[${i}]`);
    if (seen.has(alias)) throw invalidArgument(`model.version_aliases[${i}]: "${alias}" is listed twice.`, `model.version_aliases[${i}]`);
    seen.add(alias);
  }
}
