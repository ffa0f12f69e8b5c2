// onMonitoringAlert's decision against the real stores (Cloud Storage, BigQuery, Pub/Sub emulators):
// closed incidents are ignored, a burst of duplicate deliveries of one incident has the effect of
// one, rapid distinct incidents make one retrain per cooldown, a crash between the cooldown's claim
// and the publish is healed by whoever comes next, and the retrain carries the drift's reason, the
// drifted features and the spec's drift.retrain settings.
import { fileURLToPath } from 'node:url';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import type { Incident } from '../../../control-plane/drift/incident.js';
import { handleMonitoringAlert, UnhandledIncident } from '../../../control-plane/drift/on-monitoring-alert.js';
import { cooldownPath, requestAutomaticRetrain } from '../../../control-plane/retraining/automatic-retrain.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { ensureControlPlaneBuckets } from '../../../emulators/launcher/buckets.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { missingPrerequisite } from '../reliability/support.js';

const MODELS_DIR = fileURLToPath(new URL('./fixtures/models', import.meta.url));
const MODEL = 'drift-delay';
const skipReason = missingPrerequisite({ pubsub: true });

const START = Date.parse('2026-12-03T10:00:00Z');

function incident(id: string, fields: Partial<Incident> = {}): Incident {
  return {
    incident_id: id,
    state: 'open',
    started_at: START / 1000 - 60,
    ended_at: null,
    policy_name: 'Drift: drift-delay',
    condition_name: 'Feature drift above 0.3',
    observed_value: '0.612',
    threshold_value: '0.3',
    // No version label: these tests run without Vertex, so without a champion to compare it with.
    metric: { type: 'custom.googleapis.com/mlops/drift/feature_score', labels: { model: MODEL, feature: 'date_month', metric: 'jensen_shannon' } },
    ...fields,
  };
}

describe.skipIf(skipReason !== undefined)('onMonitoringAlert: drift incidents become debounced retrains', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let pubsub: PubSub;
  let clock = START;
  /** Request ids published to retraining-requests, from a pull subscription made for the test. */
  const published: string[] = [];

  beforeAll(async () => {
    cloud = await startTestCloud({ pubsub: true });
    const env = { ...cloud.env, MLOPS_ENVIRONMENT: 'local', MLOPS_MODEL_SPECS_DIR: MODELS_DIR };
    const settings = readSettings(env);
    const ce = { projectId: settings.projectId, env };
    await ensureControlPlaneBuckets(ce);
    ctx = { ...controlPlaneContext(settings, ModelCatalog.load('local', MODELS_DIR), lazyClients(ce, settings.region), ce), now: () => new Date(clock) };
    pubsub = pubSubClient(ce);
    const [subscription] = await pubsub.topic('retraining-requests').createSubscription('alert-handling-test');
    subscription.on('message', (m) => {
      published.push(String(m.attributes.requestId));
      m.ack();
    });
  }, 120_000);

  afterAll(async () => {
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
  });

  async function runsOf(): Promise<string[]> {
    return (await ctx.runs.listForModel(MODEL, 100)).map((r) => r.requestId).sort();
  }

  async function eventuallyPublished(requestId: string): Promise<void> {
    for (let i = 0; i < 100 && !published.includes(requestId); i++) await new Promise((r) => setTimeout(r, 100));
    expect(published).toContain(requestId);
  }

  it('closed incidents, and incidents of other metrics, are ignored', async () => {
    expect(await handleMonitoringAlert(ctx, incident('closed-1', { state: 'closed', ended_at: START / 1000 }))).toMatchObject({ action: 'IGNORED_CLOSED' });
    const latency = { type: 'custom.googleapis.com/mlops/rollout/latency_p95_ms', labels: { model: MODEL } };
    expect(await handleMonitoringAlert(ctx, incident('latency-1', { metric: latency }))).toMatchObject({ action: 'IGNORED_NOT_DRIFT' });
    const withoutMetric: Incident = { ...incident('no-metric', { policy_user_labels: { model: MODEL } }) };
    delete withoutMetric.metric;
    expect(await handleMonitoringAlert(ctx, withoutMetric)).toMatchObject({ action: 'IGNORED_NOT_DRIFT' });
    expect(await runsOf()).toEqual([]);
  });

  it('an incident about no managed model, or naming none, can never be handled', async () => {
    await expect(handleMonitoringAlert(ctx, incident('other', { metric: { type: 'x', labels: { model: 'no-such-model' } } }))).rejects.toBeInstanceOf(UnhandledIncident);
    await expect(handleMonitoringAlert(ctx, incident('unlabelled', { metric: { type: 'x', labels: {} } }))).rejects.toThrow(/names no model/);
  });

  it('twenty concurrent deliveries of one incident make one retrain, with its reason, drifted features and the drift.retrain settings', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => handleMonitoringAlert(ctx, incident('0.burst'))));
    expect(outcomes.filter((o) => o.action === 'TRIGGERED')).toHaveLength(1);
    expect(outcomes.filter((o) => o.action === 'DUPLICATE')).toHaveLength(19);
    expect(await runsOf()).toEqual(['drift-0.burst-p0']);
    const run = (await ctx.runs.listForModel(MODEL))[0]!;
    expect(run.trigger).toBe('drift');
    expect(run.driftedFeatures).toEqual(['date_month']);
    expect(run.reason).toMatch(/^drift: date_month jensen_shannon 0.612 above 0.3 \(incident 0.burst, policy "Drift: drift-delay"\)/);
    expect(run.sourceParameters).toEqual({ sample_fraction: 0.5 });
    expect(run.parameterOverrides).toEqual({ model_type: 'random_forest' });
    await eventuallyPublished('drift-0.burst-p0');
    // A redelivery of the open incident, later within the cooldown: a duplicate.
    clock += 60_000;
    expect(await handleMonitoringAlert(ctx, incident('0.burst'))).toMatchObject({ action: 'DUPLICATE' });
  });

  it('rapid distinct incidents within the cooldown are debounced, and the cooldown ending lets the next one through', async () => {
    const outcomes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => handleMonitoringAlert(ctx, incident(`rapid-${id}`))));
    expect(outcomes.map((o) => o.action)).toEqual(['DEBOUNCED', 'DEBOUNCED', 'DEBOUNCED', 'DEBOUNCED', 'DEBOUNCED']);
    expect(outcomes.every((o) => o.action === 'DEBOUNCED' && o.by === 'drift-0.burst-p0')).toBe(true);
    expect(await runsOf()).toEqual(['drift-0.burst-p0']);
    clock += 3600_000;
    const after = await Promise.all(['f', 'g', 'h'].map((id) => handleMonitoringAlert(ctx, incident(`later-${id}`))));
    expect(after.filter((o) => o.action === 'TRIGGERED')).toHaveLength(1);
    expect(after.filter((o) => o.action === 'DEBOUNCED')).toHaveLength(2);
    expect(await runsOf()).toHaveLength(2);
  });

  it('an incident still open a cooldown later (its drift outlived the retrain) asks again', async () => {
    const before = await runsOf();
    clock += 3600_000;
    const renotified = await handleMonitoringAlert(ctx, incident('0.burst'));
    expect(renotified.action).toBe('TRIGGERED');
    const after = await runsOf();
    expect(after.filter((id) => !before.includes(id))).toEqual([expect.stringMatching(/^drift-0\.burst-p\d+$/)]);
  });

  it('a request asked for again after its claim was replaced neither runs again nor takes the cooldown', async () => {
    const cooldown = await ctx.state.read(cooldownPath(MODEL), (await import('zod')).z.any());
    const again = await requestAutomaticRetrain(ctx, { model: MODEL, trigger: 'age', requestId: 'drift-0.burst-p0', reason: 'again', subject: 'x', details: {} });
    expect(again.action).toBe('ALREADY_REQUESTED');
    expect((await ctx.state.read(cooldownPath(MODEL), (await import('zod')).z.any()))?.generation).toBe(cooldown?.generation);
  });

  it('a crash between the claim and the publish is healed by the redelivery, or by the next trigger', async () => {
    clock += 2 * 3600_000;
    // The claim as a crashed delivery left it: the cooldown names a request whose run was never created.
    const current = await ctx.state.read(cooldownPath(MODEL), (await import('zod')).z.any());
    const stranded = { requestId: 'drift-stranded', model: MODEL, trigger: 'drift', reason: 'drift: stranded', requestTime: new Date(clock).toISOString() };
    const claim = { model: MODEL, requestId: 'drift-stranded', trigger: 'drift', at: new Date(clock).toISOString(), until: new Date(clock + 3600_000).toISOString(), request: stranded };
    expect(await ctx.state.replace(cooldownPath(MODEL), claim, current!.generation)).toBeDefined();
    expect(await runsOf()).not.toContain('drift-stranded');
    // Another incident, debounced by the stranded claim, publishes its request first.
    expect(await handleMonitoringAlert(ctx, incident('after-crash'))).toMatchObject({ action: 'DEBOUNCED', by: 'drift-stranded' });
    expect(await runsOf()).toContain('drift-stranded');
    await eventuallyPublished('drift-stranded');
    // The crashed trigger's own redelivery finds its claim and finishes: still one run.
    const again = await requestAutomaticRetrain(ctx, { model: MODEL, trigger: 'drift', requestId: 'drift-stranded', reason: 'drift: stranded', subject: 'stranded', details: {} });
    expect(again.action).toBe('TRIGGERED');
    expect((await runsOf()).filter((id) => id === 'drift-stranded')).toHaveLength(1);
  });
});
