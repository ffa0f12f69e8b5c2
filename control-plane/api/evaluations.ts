// POST /v1/models/{model}/evaluations: evaluate an existing version against the champion on a fresh
// snapshot. It travels the retraining path (a request on retraining-requests, a snapshot, a
// PipelineJob, a completion event) with trigger `evaluation`, and ends in the same decision record.
import { randomUUID } from 'node:crypto';
import { RpcCode, grpcCode, notFound } from '../errors.js';
import type { RetrainingRequest } from '../retraining/messages.js';
import { newTrainingRun } from '../retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import type { Caller } from './caller.js';
import type { CreateEvaluationBody } from './requests.js';
import type { TrainingRunView } from './training-runs.js';
import { publicRun } from '../state/training-runs.js';
import { checkRequestId, publishRetrainingRequest } from './training-runs.js';

const { NOT_FOUND } = RpcCode;

export async function createEvaluation(ctx: ControlPlaneContext, model: string, body: CreateEvaluationBody, caller: Caller): Promise<TrainingRunView> {
  const spec = ctx.models.require(model);
  checkRequestId(body.requestId);
  // The version must exist now; its number (not an alias that may move) is what gets evaluated.
  let versionId: string;
  try {
    const [version] = await (await ctx.clients.models()).getModel({ name: `${vertexModelName(ctx.settings, spec.name)}@${body.version}` });
    versionId = String(version.versionId);
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) throw notFound(`models/${spec.name} has no version or alias ${JSON.stringify(body.version)}`);
    throw err;
  }
  const request: RetrainingRequest = {
    requestId: body.requestId ?? `evaluation-${randomUUID()}`,
    model: spec.name,
    trigger: 'evaluation',
    reason: body.reason ?? `evaluate version ${versionId} against the champion`,
    ...(caller.email ? { requestedBy: caller.email } : {}),
    evaluatedVersion: versionId,
    requestTime: ctx.now().toISOString(),
  };
  const { run } = await ctx.runs.createOrGet(newTrainingRun(request, ctx.now()));
  if (run.state === 'QUEUED') await publishRetrainingRequest(ctx, { ...request, requestId: run.requestId, ...(run.evaluatedVersion ? { evaluatedVersion: run.evaluatedVersion } : {}) });
  return publicRun(run);
}
