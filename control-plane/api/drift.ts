// GET /v1/models/{model}/drift: the model's latest drift, performance and age check (what checkDrift
// found last, per serving version and feature, and the retrains it asked for).
import { readLatestCheck, type ModelCheckRecord } from '../drift/drift-check-record.js';
import { notFound } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';

export async function getLatestDriftCheck(ctx: ControlPlaneContext, model: string): Promise<ModelCheckRecord> {
  const spec = ctx.models.require(model);
  if (spec.drift === undefined) throw notFound(`models/${spec.name} has no drift policy (models/${spec.name}.yaml: drift)`);
  const latest = await readLatestCheck(ctx, spec.name);
  if (!latest) throw notFound(`models/${spec.name} has not been checked for drift yet (checkDrift runs on its schedule)`);
  return latest;
}
