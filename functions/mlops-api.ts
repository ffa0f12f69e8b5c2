// mlopsApi (HTTP): the API that curl, gcloud users and Cloud Scheduler call. This file only routes,
// validates bodies and maps results and errors to Google's JSON shapes; control-plane/api decides.
import type { Request, Response } from '@google-cloud/functions-framework';
import { callerFromHeaders, callerIdentity } from '../control-plane/api/caller.js';
import { createCustomJob } from '../control-plane/api/custom-jobs.js';
import { getLatestDriftCheck } from '../control-plane/api/drift.js';
import { ListDecisionsQuery } from '../control-plane/api/decisions.js';
import { listDecisions } from '../control-plane/governance/decision-trail.js';
import { createEvaluation } from '../control-plane/api/evaluations.js';
import { googleError } from '../control-plane/api/google-error.js';
import { getModel, listModels, listVersionEvaluations } from '../control-plane/api/models.js';
import { AbortRolloutBody, CreateCustomJobBody, CreateEvaluationBody, CreateRolloutBody, CreateTrainingRunBody, CreateTuningRunBody, PromoteRolloutBody } from '../control-plane/api/requests.js';
import { approve, commandRollout, createRollout, getRollout, listModelRollouts } from '../control-plane/api/rollouts.js';
import type { IdentityVerifier } from '../control-plane/identity/verify-identity-token.js';
import { identityVerifierFor } from '../control-plane/identity/verify-identity-token.js';
import { createTrainingRun, getTrainingRun } from '../control-plane/api/training-runs.js';
import { ControlPlaneError } from '../control-plane/errors.js';
import type { ControlPlaneContext } from '../control-plane/runtime/context.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { log } from '../logging/log.js';

type Handler = (ctx: () => ControlPlaneContext, params: string[], req: Request) => unknown;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  readonly handler: Handler;
}

const SEGMENT = '([^/]+)';
/** A rollout id, before a `:verb`. */
const ID = '([^/:]+)';

/** Tuning runs load the tuning study and pipeline code: only when a tuning route is called. */
const tuningRunsApi = () => import('../control-plane/api/tuning-runs.js');

/** Experiment runs and lineage load the ML Metadata client: only when one of their routes is called. */
const trackingApi = () => import('../control-plane/api/tracking.js');

/** Built once per instance: it caches the certificates it fetches. */
let verifier: IdentityVerifier | undefined;
function identityVerifier(ctx: ControlPlaneContext): IdentityVerifier {
  verifier ??= identityVerifierFor(ctx.settings);
  return verifier;
}
const ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/v1\/models$/, handler: (ctx) => listModels(ctx()) },
  { method: 'GET', path: new RegExp(`^/v1/models/${SEGMENT}$`), handler: (ctx, [model]) => getModel(ctx(), model!) },
  {
    method: 'POST',
    path: new RegExp(`^/v1/models/${SEGMENT}/trainingRuns$`),
    handler: (ctx, [model], req) => createTrainingRun(ctx(), model!, CreateTrainingRunBody.parse(jsonBody(req)), callerFromHeaders(req.headers)),
  },
  { method: 'GET', path: new RegExp(`^/v1/trainingRuns/${SEGMENT}$`), handler: (ctx, [id]) => getTrainingRun(ctx(), id!) },
  {
    method: 'POST',
    path: new RegExp(`^/v1/models/${SEGMENT}/tuningRuns$`),
    handler: async (ctx, [model], req) => (await tuningRunsApi()).createTuningRun(ctx(), model!, CreateTuningRunBody.parse(jsonBody(req)), callerFromHeaders(req.headers)),
  },
  { method: 'GET', path: new RegExp(`^/v1/models/${SEGMENT}/tuningRuns$`), handler: async (ctx, [model]) => (await tuningRunsApi()).listModelTuningRuns(ctx(), model!) },
  { method: 'GET', path: new RegExp(`^/v1/tuningRuns/${SEGMENT}$`), handler: async (ctx, [id]) => (await tuningRunsApi()).getTuningRun(ctx(), id!) },
  {
    method: 'GET',
    path: new RegExp(`^/v1/models/${SEGMENT}/versions/${SEGMENT}/evaluations$`),
    handler: (ctx, [model, version]) => listVersionEvaluations(ctx(), model!, version!),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/models/${SEGMENT}/versions/${SEGMENT}/lineage$`),
    handler: async (ctx, [model, version]) => (await trackingApi()).getVersionLineage(ctx(), model!, version!),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/models/${SEGMENT}/experimentRuns$`),
    handler: async (ctx, [model], req) => {
      const api = await trackingApi();
      return api.listExperimentRuns(ctx(), model!, api.parseExperimentRunsQuery(req.query));
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/models/${SEGMENT}/evaluations$`),
    handler: (ctx, [model], req) => createEvaluation(ctx(), model!, CreateEvaluationBody.parse(jsonBody(req)), callerFromHeaders(req.headers)),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/models/${SEGMENT}/rollouts$`),
    handler: (ctx, [model], req) => createRollout(ctx(), model!, CreateRolloutBody.parse(jsonBody(req)), callerFromHeaders(req.headers)),
  },
  { method: 'GET', path: new RegExp(`^/v1/models/${SEGMENT}/rollouts$`), handler: (ctx, [model]) => listModelRollouts(ctx(), model!) },
  { method: 'GET', path: new RegExp(`^/v1/models/${SEGMENT}/drift$`), handler: (ctx, [model]) => getLatestDriftCheck(ctx(), model!) },
  { method: 'GET', path: new RegExp(`^/v1/models/${SEGMENT}/decisions$`), handler: (ctx, [model], req) => listDecisions(ctx(), model!, ListDecisionsQuery.parse(req.query)) },
  { method: 'GET', path: new RegExp(`^/v1/rollouts/${ID}$`), handler: (ctx, [id]) => getRollout(ctx(), id!) },
  {
    method: 'POST',
    path: new RegExp(`^/v1/rollouts/${ID}:promote$`),
    handler: (ctx, [id], req) => commandRollout(ctx(), id!, 'promote', PromoteRolloutBody.parse(jsonBody(req)), callerFromHeaders(req.headers)),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/rollouts/${ID}:abort$`),
    handler: (ctx, [id], req) => commandRollout(ctx(), id!, 'abort', AbortRolloutBody.parse(jsonBody(req)), callerFromHeaders(req.headers)),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/rollouts/${ID}:retry$`),
    handler: (ctx, [id], req) => {
      AbortRolloutBody.omit({ reason: true }).parse(jsonBody(req));
      return commandRollout(ctx(), id!, 'retry', {}, callerFromHeaders(req.headers));
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/rollouts/${ID}:approve$`),
    // The approver is whoever the verified ID token says, never a field of the body.
    handler: async (ctx, [id], req) => {
      AbortRolloutBody.omit({ reason: true }).parse(jsonBody(req));
      const context = ctx();
      const identity = await callerIdentity(req.headers, identityVerifier(context));
      return approve(context, id!, { email: identity.email });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/models/${SEGMENT}/customJobs$`),
    handler: (ctx, [model], req) => createCustomJob(ctx(), model!, CreateCustomJobBody.parse(jsonBody(req))),
  },
];

/** The parsed JSON body; an empty body is `{}`. Anything but a JSON object is refused. */
function jsonBody(req: Request): unknown {
  const raw = req.body as unknown;
  if (raw === undefined || raw === null || (Buffer.isBuffer(raw) && raw.length === 0) || raw === '' || (typeof raw === 'object' && !Buffer.isBuffer(raw) && Object.keys(raw).length === 0 && !req.is('application/json'))) return {};
  if (!req.is('application/json')) throw new ControlPlaneError('INVALID_ARGUMENT', 'the request body must be JSON (Content-Type: application/json)', [{ field: '(body)', description: 'must be a JSON object' }]);
  if (typeof raw !== 'object' || Array.isArray(raw) || Buffer.isBuffer(raw)) {
    throw new ControlPlaneError('INVALID_ARGUMENT', 'the request body must be a JSON object', [{ field: '(body)', description: 'must be a JSON object' }]);
  }
  return raw;
}

function decodedSegments(match: RegExpExecArray): string[] {
  return match.slice(1).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ControlPlaneError('INVALID_ARGUMENT', `the path segment ${JSON.stringify(s.slice(0, 80))} is not valid percent-encoding`);
    }
  });
}

export async function mlopsApi(req: Request, res: Response): Promise<void> {
  const started = performance.now();
  try {
    const path = req.path.replace(/\/+$/, '') || '/';
    const matching = ROUTES.map((route) => ({ route, match: route.path.exec(path) })).filter((m) => m.match !== null);
    if (matching.length === 0) throw new ControlPlaneError('NOT_FOUND', `no such resource: ${req.method} ${path.slice(0, 200)}`);
    const found = matching.find((m) => m.route.method === req.method);
    if (!found) {
      res.set('Allow', matching.map((m) => m.route.method).join(', '));
      res.status(405).json({ error: { code: 405, message: `${req.method} is not allowed on ${path.slice(0, 200)}; use ${matching.map((m) => m.route.method).join(' or ')}`, status: 'INVALID_ARGUMENT' } });
      return;
    }
    const result = await found.route.handler(() => controlPlaneFromEnvironment(), decodedSegments(found.match!), req);
    res.status(200).json(result);
    log('INFO', 'mlopsApi invocation', { function: 'mlopsApi', method: req.method, path, status: 200, durationMs: Math.round(performance.now() - started) });
  } catch (err) {
    const { httpStatus, body } = googleError(err);
    log(httpStatus >= 500 ? 'ERROR' : 'INFO', 'mlopsApi invocation', { function: 'mlopsApi', method: req.method, path: req.path.slice(0, 200), status: httpStatus, durationMs: Math.round(performance.now() - started), error: httpStatus >= 500 ? String((err as Error)?.stack ?? err) : body.error.message });
    res.status(httpStatus).json(body);
  }
}
