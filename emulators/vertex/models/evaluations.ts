// Model evaluations, imported per model version (`models/M` means the default version, `M@2` a
// given one) and named `projects/P/locations/L/models/M/evaluations/ID`.
import { notFound } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import { listPage } from '../api/list.js';
import type { QueryValues } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { JsonStore } from '../state/json-store.js';
import { parseModelRef } from './model-names.js';
import type { ModelRegistry } from './model-registry.js';

export interface StoredEvaluation {
  evaluation: JsonObject;
  /** The model version it evaluates. */
  versionId: string;
}

export class ModelEvaluations {
  constructor(
    private readonly store: JsonStore<StoredEvaluation>,
    private readonly models: ModelRegistry,
  ) {}

  async import(parent: string, body: unknown): Promise<JsonObject> {
    assertValidWireRequest('ImportModelEvaluationRequest', { ...(isPlainObject(body) ? body : {}), parent });
    const request = canonical('ImportModelEvaluationRequest', body);
    const version = this.models.resolve(parent);
    const ref = parseModelRef(parent);
    const evaluation: JsonObject = {
      ...(isPlainObject(request.modelEvaluation) ? request.modelEvaluation : {}),
      name: `${ref.baseName}/evaluations/${numericId()}`,
      createTime: nowTimestamp(),
    };
    await this.store.put(String(evaluation.name), { evaluation, versionId: String(version.versionId) });
    return evaluation;
  }

  list(parent: string, params: QueryValues): JsonObject {
    const version = this.models.resolve(parent);
    const ref = parseModelRef(parent);
    const items = this.store
      .values()
      .filter((e) => String(e.evaluation.name).startsWith(`${ref.baseName}/evaluations/`) && e.versionId === version.versionId)
      .map((e) => e.evaluation);
    return listPage(items, params, 'modelEvaluations');
  }

  get(name: string): JsonObject {
    // `models/M@2/evaluations/E` names the same evaluation as `models/M/evaluations/E`.
    const normalized = name.replace(/(\/models\/[^/@]+)@[^/]+\//, '$1/');
    const found = this.store.get(normalized);
    if (!found) throw notFound(`ModelEvaluation ${name} not found.`);
    return found.evaluation;
  }

  /** Drops the evaluations of a deleted model (or one deleted version). */
  async deleteFor(baseName: string, versionId?: string): Promise<void> {
    for (const [name, stored] of this.store.entries()) {
      if (name.startsWith(`${baseName}/evaluations/`) && (versionId === undefined || stored.versionId === versionId)) await this.store.delete(name);
    }
  }
}
