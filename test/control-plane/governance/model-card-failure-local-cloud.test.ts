// A model card that cannot be written must never lose the approved model: on the local cloud, the
// completion of a real training run whose card writes fail (the Storage client answering as Cloud
// Storage does) — first transiently (503: the delivery fails, to be redelivered, and nothing is
// decided for good), then for good (403, as a missing IAM grant answers) — registers the version
// without a card (no `model_card` label, no link) and records MODEL_CARD_NOT_WRITTEN in the trail.
import type { PubSub } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListDecisionsQuery } from '../../../control-plane/api/decisions.js';
import { isTransient } from '../../../control-plane/errors.js';
import { listDecisions } from '../../../control-plane/governance/decision-trail.js';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { clientEnvironmentOf, controlPlaneOn, missingPrerequisite, MODEL, retrainingRequest, watchRunEvents } from '../reliability/support.js';
import type { RunEvents } from '../reliability/support.js';

const skip = missingPrerequisite({ python: true, pubsub: true });

/** Cloud Storage's error for a write the caller may not make, as the client throws it (`code` is the HTTP status). */
const httpError = (code: number, message: string) => Object.assign(new Error(message), { code });

/** Property reads bound to their target, so that a proxy's methods run on the real object. */
function bound<T extends object>(target: T, p: string | symbol): unknown {
  const value: unknown = Reflect.get(target, p);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

/** The Storage client, except that saving a model card fails with `error()` (the other objects are untouched). */
function cardWritesFail(storage: Storage, error: () => Error, attempts: string[]): Storage {
  const file = (bucket: ReturnType<Storage['bucket']>, name: string) => {
    const real = bucket.file(name);
    if (!/\/model_card\.(md|html)$/.test(name)) return real;
    return new Proxy(real, { get: (t, p) => (p === 'save' ? () => { attempts.push(name); return Promise.reject(error()); } : bound(t, p)) });
  };
  return new Proxy(storage, {
    get: (t, p) => (p === 'bucket'
      ? (name: string) => { const b = t.bucket(name); return new Proxy(b, { get: (bt, bp) => (bp === 'file' ? (n: string) => file(bt, n) : bound(bt, bp)) }); }
      : bound(t, p)),
  });
}

describe.skipIf(skip !== undefined)('a model card that cannot be written on the local cloud', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let pubsub: PubSub;
  let runEvents: RunEvents;

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true, pubsub: true });
    ctx = await controlPlaneOn(cloud);
    pubsub = pubSubClient(clientEnvironmentOf(cloud));
    runEvents = await watchRunEvents(pubsub, 'card-failure-run-events');
  }, 120_000);

  afterAll(async () => {
    await runEvents?.close();
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
  });

  const failing = (error: () => Error, attempts: string[]): ControlPlaneContext => ({
    ...ctx,
    clients: { ...ctx.clients, storage: async () => cardWritesFail(await ctx.clients.storage(), error, attempts) },
  });

  it('transient: the delivery fails for redelivery; forbidden: the version registers without its card, and the trail says why', async () => {
    const request = retrainingRequest('card-forbidden');
    await submitTrainingRun(ctx, request);
    const event = await runEvents.of(request.requestId);
    const runId = trainingRunId(MODEL, request.requestId);

    // A 503: thrown as transient (Pub/Sub redelivers), the run still open, nothing registered.
    const transientAttempts: string[] = [];
    const unavailable = await completeTrainingRun(failing(() => httpError(503, 'Service Unavailable'), transientAttempts), event, 'card-delivery-1').catch((e: unknown) => e);
    expect(isTransient(unavailable)).toBe(true);
    expect(transientAttempts.length).toBeGreaterThan(0);
    const open = (await ctx.runs.get(runId))!.value;
    expect(open.state).not.toMatch(/SUCCEEDED|FAILED|REJECTED/);
    expect(open.modelVersion).toBeUndefined();

    // A 403 (the function's account may not write there): registered all the same, without the card.
    const forbiddenAttempts: string[] = [];
    const completed = await completeTrainingRun(failing(() => httpError(403, 'on-pipeline-run-event does not have storage.objects.create access'), forbiddenAttempts), event, 'card-delivery-2');
    expect(forbiddenAttempts.length).toBeGreaterThan(0);
    expect(completed.decision?.outcome).toBe('REGISTER_AS_CHAMPION');
    expect(completed.run.state).toBe('SUCCEEDED');
    const run = (await ctx.runs.get(runId))!.value;
    expect(run.state).toBe('SUCCEEDED');
    expect(run.modelVersion).toBeTruthy();
    expect(run.modelCard).toBeUndefined();
    const [version] = await (await ctx.clients.models()).getModel({ name: run.modelVersion! });
    expect(version.labels?.model_card).toBeUndefined();
    expect(version.versionDescription ?? '').not.toContain('model card');

    // The trail: the registration, and why it has no card.
    const trail = await listDecisions(ctx, MODEL, ListDecisionsQuery.parse({ pageSize: '500' }));
    const ofRun = trail.decisions.filter((d) => d.subject === runId);
    expect(ofRun.map((d) => d.kind).sort()).toEqual(['FIRST_CHAMPION_DEPLOYED', 'MODEL_CARD_NOT_WRITTEN', 'REGISTER_AS_CHAMPION', 'TRAINING_RUN_SUBMITTED', 'VERSION_REGISTERED']);
    const noCard = ofRun.find((d) => d.kind === 'MODEL_CARD_NOT_WRITTEN')!;
    expect(noCard).toMatchObject({ version: run.modelVersion, actor: 'onPipelineRunEvent' });
    expect(String(noCard.details.error)).toContain('storage.objects.create');
    expect(ofRun.find((d) => d.kind === 'VERSION_REGISTERED')!.details).not.toHaveProperty('modelCard');

    // A later delivery (storage healthy again) changes nothing: the run is done.
    expect((await completeTrainingRun(ctx, event, 'card-delivery-3')).duplicate).toBe(true);
  }, 300_000);
});
