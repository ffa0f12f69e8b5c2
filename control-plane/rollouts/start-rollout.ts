// Starting a rollout of one version on its model's endpoint: the policy is resolved from the spec
// (and the request's override) and frozen into the record; the model's lock makes it the only
// rollout on that endpoint; the record starts at the first step, or waits for an approval where
// the environment requires one. Idempotent: the same version again is the same rollout.
import { approversOf } from './approvers.js';
import type { RolloutPolicyOverride } from '../config/model-spec.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { definedOnly } from '../config/load-model-specs.js';
import { ControlPlaneError, grpcCode, RpcCode } from '../errors.js';
import { deployedModelIdFor, endpointName } from '../registry/first-deployment.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import { observeEndpoint, soleServing } from './endpoint-effects.js';
import type { RolloutRecord } from './rollout-record.js';
import { rolloutIdFor } from './rollout-record.js';
import { decide, enterStep, splitFor } from './transitions.js';

export interface StartRolloutInput {
  /** A version id (`7`) or a full version name (`projects/.../models/m@7`). */
  readonly version: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly policy?: RolloutPolicyOverride;
}

function policyFor(ctx: ControlPlaneContext, spec: ResolvedModelSpec, override: RolloutPolicyOverride | undefined): RolloutRecord['policy'] {
  const rollout = spec.rollout;
  const logging = spec.endpoint.requestResponseLogging;
  const truth = rollout.groundTruth;
  return {
    steps: override?.steps ?? rollout.steps,
    analysis: { ...rollout.analysis, ...definedOnly(override?.analysis) },
    ...(truth ? { groundTruth: { table: { ...truth.table }, idField: truth.idField, labelColumn: truth.labelColumn, metric: truth.metric, confidence: truth.confidence } } : {}),
    onManualTrafficChange: override?.onManualTrafficChange ?? rollout.onManualTrafficChange,
    analysisWindowSeconds: spec.durations.rolloutAnalysisWindow,
    analysisIntervalSeconds: spec.durations.rolloutAnalysisInterval,
    scaleDownDelaySeconds: spec.durations.rolloutScaleDownDelay,
    deployTimeoutSeconds: spec.durations.rolloutDeployTimeout,
    ...(logging ? { requestLogTable: { projectId: logging.bigqueryTable.projectId ?? ctx.settings.projectId, datasetId: logging.bigqueryTable.datasetId, tableId: logging.bigqueryTable.tableId } } : {}),
  };
}

/** `7` or `projects/.../models/m@7` → the full name, checked to exist. */
async function resolveVersion(ctx: ControlPlaneContext, model: string, version: string): Promise<{ name: string; versionId: string }> {
  const base = vertexModelName(ctx.settings, model);
  const versionId = version.startsWith(`${base}@`) ? version.slice(base.length + 1) : version;
  if (!/^[1-9][0-9]{0,9}$/.test(versionId)) {
    throw new ControlPlaneError('INVALID_ARGUMENT', `version must be a version id of ${model} (e.g. "3") or ${base}@ID, got ${JSON.stringify(version)}`, [{ field: 'version', description: 'a version id' }]);
  }
  const name = `${base}@${versionId}`;
  try {
    await (await ctx.clients.models()).getModel({ name });
  } catch (err) {
    if (grpcCode(err) === RpcCode.NOT_FOUND) throw new ControlPlaneError('NOT_FOUND', `model version ${name} not found`, [{ field: 'version', description: 'no such version' }]);
    throw err;
  }
  return { name, versionId };
}

export async function startRollout(ctx: ControlPlaneContext, model: string, input: StartRolloutInput): Promise<RolloutRecord> {
  const spec = ctx.models.require(model);
  const { name: version, versionId } = await resolveVersion(ctx, model, input.version);
  const id = rolloutIdFor(model, versionId);
  const existing = await ctx.rollouts.read(id);
  if (existing) {
    if (existing.value.phase === 'ABORTED') throw new ControlPlaneError('FAILED_PRECONDITION', `rollout ${id} of ${version} was aborted (${existing.value.abortReason ?? 'rolled back'}); POST /v1/rollouts/${id}:retry starts it again`);
    return existing.value;
  }

  const endpoint = endpointName(ctx, model);
  const observed = await observeEndpoint(ctx, endpoint);
  if (!observed.view.exists) throw new ControlPlaneError('FAILED_PRECONDITION', `the endpoint ${endpoint} does not exist yet: the first champion is deployed when it is registered`);
  const stable = soleServing(observed, vertexModelName(ctx.settings, model));
  if (!stable) throw new ControlPlaneError('FAILED_PRECONDITION', `a rollout starts from one deployed model serving 100% of ${endpoint}; it serves ${JSON.stringify(observed.view.traffic)}`);
  const { deployedModelId: stableId, version: stableVersion } = stable;
  // Names may differ (Vertex may answer with the project number): the deployed model id decides.
  const canaryId = deployedModelIdFor(version);
  if (stableId === canaryId || stableVersion === version) throw new ControlPlaneError('FAILED_PRECONDITION', `${version} already serves 100% of ${endpoint}`);
  if (observed.view.deployed.has(canaryId)) throw new ControlPlaneError('FAILED_PRECONDITION', `${version} is already deployed on ${endpoint} (deployed model ${canaryId}); undeploy it first`);

  const now = ctx.now();
  const lock = await ctx.rollouts.acquire(model, id, now);
  if (!lock.acquired) throw new ControlPlaneError('FAILED_PRECONDITION', `rollout ${lock.holder} is in progress on ${endpoint}; abort it or wait for it to finish`);

  const canary = { version, deployedModelId: canaryId };
  let record: RolloutRecord = {
    id,
    name: `rollouts/${id}`,
    model,
    endpoint,
    stable,
    canary,
    policy: policyFor(ctx, spec, input.policy),
    phase: 'AWAITING_APPROVAL',
    stepIndex: 0,
    attempt: 1,
    steps: [],
    traffic: { desired: splitFor({ stable, canary }, 0), previous: splitFor({ stable, canary }, 0), unsynced: [] },
    approvals: [],
    history: [],
    outbox: [],
    requestedBy: input.requestedBy,
    createTime: now.toISOString(),
    updateTime: now.toISOString(),
  };
  record = decide(record, now, 'ROLLOUT_STARTED', input.requestedBy, input.reason, { stable: stable.version, canary: canary.version });
  if (spec.approvals.deployment === 'required') {
    record = decide(record, now, 'AWAITING_APPROVAL', 'policy', `the ${spec.environment} environment requires an approval by one of ${approversOf(ctx, spec).join(', ')} before the first step`);
  } else {
    record = enterStep(record, 0, now, input.requestedBy);
  }
  if (!(await ctx.rollouts.create(record))) return (await ctx.rollouts.require(id)).value;
  return record;
}
