// Property-based (fast-check): Pub/Sub messages of every shape, to every event handler as deployed
// (the exported functions, given the CloudEvent the functions framework makes of a push). Whatever
// arrives, a handler returns (the message is acknowledged) or throws a transient error (it is
// redelivered); it never crashes. Garbage (not JSON, not an object, a field missing, of the wrong
// type or unknown) goes to the dead-letter topic with a reason naming the field; a well-formed
// message the control plane cannot act on (unknown model, unknown run) is acknowledged, and one
// whose snapshot fails ends its run FAILED.
import type { PubSub } from '@google-cloud/pubsub';
import type { CloudEvent } from '@google-cloud/functions-framework';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransient } from '../../../control-plane/errors.js';
import { PIPELINE_FINAL_STATES } from '../../../control-plane/retraining/messages.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { TRIGGERS, trainingRunId } from '../../../control-plane/state/training-runs.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import type { ReceivedMessage } from './support.js';
import { clientEnvironmentOf, controlPlaneEnv, controlPlaneOn, MISSING_SOURCE_MODEL, missingPrerequisite, MODEL, pubSubCloudEvent, receiveUntil } from './support.js';

const skipReason = missingPrerequisite({ pubsub: true });
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? '150');
const CASE = 'reliability-case';

type Handler = (event: CloudEvent<unknown>) => Promise<void>;

const describeError = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error));

/** A generated message and what must become of it. */
interface Generated {
  readonly data: unknown;
  /** Garbage: the reason must name each of these fields (`field: ...`). */
  readonly poison?: readonly string[];
  /** A well-formed retraining request for the model whose source is missing: its run must end FAILED. */
  readonly failsRun?: { readonly model: string; readonly requestId: string };
}

// ---- the messages' fields, valid and otherwise ----------------------------------------------------

const requestId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/);
const unknownModel = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).filter((m) => m !== MODEL && m !== MISSING_SOURCE_MODEL);
const timestamp = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

const retrainingRequest = (model: fc.Arbitrary<string>) =>
  fc.record(
    {
      requestId,
      model,
      trigger: fc.constantFrom(...TRIGGERS),
      reason: fc.string({ maxLength: 60 }),
      requestedBy: fc.emailAddress(),
      parameterOverrides: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      enableCaching: fc.boolean(),
      requestTime: timestamp,
    },
    { requiredKeys: ['requestId', 'model', 'trigger', 'requestTime'] },
  );

const pipelineRunEvent = (model: fc.Arbitrary<string>) =>
  fc.record({
    pipelineJob: fc.stringMatching(/^[a-z0-9-]{1,40}$/).map((id) => `projects/local-project/locations/us-central1/pipelineJobs/${id}`),
    state: fc.constantFrom(...PIPELINE_FINAL_STATES),
    model,
    requestId,
  });

/** Values no string field accepts. */
const notAString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }));
const unknownKey = (known: readonly string[]) => fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,15}$/).filter((k) => !known.includes(k));

/** Every kind of message for a handler whose schema is `valid` with string fields `required`. */
function messages(valid: fc.Arbitrary<Record<string, unknown>>, required: readonly string[], known: readonly string[], extra: fc.Arbitrary<Generated>): fc.Arbitrary<Generated> {
  const notJson = fc.oneof(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('latin1'))).filter((text) => {
    try {
      JSON.parse(Buffer.from(text, 'latin1').toString('utf8'));
      return false;
    } catch {
      return true;
    }
  });
  return fc.oneof(
    notJson.map((text): Generated => ({ data: Buffer.from(text, 'latin1'), poison: ['data'] })),
    fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })).map((value): Generated => ({ data: JSON.stringify(value), poison: ['(message)'] })),
    fc.tuple(valid, fc.constantFrom(...required)).map(([message, field]): Generated => {
      const copy = { ...message };
      delete copy[field];
      return { data: JSON.stringify(copy), poison: [field] };
    }),
    fc.tuple(valid, fc.constantFrom(...required), notAString).map(([message, field, value]): Generated => ({ data: JSON.stringify({ ...message, [field]: value }), poison: [field] })),
    fc.tuple(valid, fc.uniqueArray(unknownKey(known), { minLength: 1, maxLength: 3 })).map(([message, keys]): Generated => ({ data: JSON.stringify({ ...message, ...Object.fromEntries(keys.map((k) => [k, 1])) }), poison: keys })),
    extra,
  );
}

const REQUEST_FIELDS = ['requestId', 'model', 'trigger', 'reason', 'requestedBy', 'parameterOverrides', 'enableCaching', 'evaluatedVersion', 'requestTime'];
const EVENT_FIELDS = ['pipelineJob', 'state', 'model', 'requestId'];

const retrainingMessages = messages(
  retrainingRequest(unknownModel),
  ['requestId', 'model', 'trigger', 'requestTime'],
  REQUEST_FIELDS,
  fc.oneof(
    // Well-formed, for a model the catalog does not have: acknowledged.
    retrainingRequest(unknownModel).map((data): Generated => ({ data: JSON.stringify(data) })),
    // Well-formed, for the model whose source table is missing: its run ends FAILED.
    retrainingRequest(fc.constant(MISSING_SOURCE_MODEL)).map((data): Generated => ({ data: JSON.stringify(data), failsRun: { model: MISSING_SOURCE_MODEL, requestId: data.requestId } })),
  ),
);

const tuningRequest = (model: fc.Arbitrary<string>) => fc.record({ model, requestId, requestTime: timestamp });
const TUNING_FIELDS = ['model', 'requestId', 'requestTime'];

const tuningMessages = messages(
  tuningRequest(unknownModel),
  TUNING_FIELDS,
  TUNING_FIELDS,
  // Well-formed, for a model the catalog does not have or a run never recorded: acknowledged.
  tuningRequest(fc.constantFrom(MODEL, MISSING_SOURCE_MODEL, 'no-such-model')).map((data): Generated => ({ data: JSON.stringify(data) })),
);

const pipelineMessages = messages(
  pipelineRunEvent(unknownModel),
  EVENT_FIELDS,
  EVENT_FIELDS,
  // Well-formed, for a run that does not exist (of a known model or not): acknowledged.
  pipelineRunEvent(fc.constantFrom(MODEL, MISSING_SOURCE_MODEL, 'no-such-model')).map((data): Generated => ({ data: JSON.stringify(data) })),
);

// Cloud Monitoring's notifications (format 1.2): the incident's required fields missing or of the
// wrong type are poison naming `incident.<field>`; a well-formed incident about no managed model can
// never be handled and is parked too (its reason says so); closed ones, and open ones of a metric
// other than drift, are acknowledged.
const INCIDENT_REQUIRED = ['incident_id', 'state', 'started_at', 'policy_name'] as const;
const incident = (model: fc.Arbitrary<string>, state: fc.Arbitrary<string> = fc.constantFrom('open', 'closed')) =>
  fc.record({
    incident_id: fc.stringMatching(/^[0-9a-f.]{1,24}$/),
    scoping_project_id: fc.constant('local-project'),
    state,
    started_at: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
    ended_at: fc.constant(null),
    policy_name: fc.string({ maxLength: 30 }),
    condition_name: fc.string({ maxLength: 30 }),
    observed_value: fc.double({ min: 0, max: 1, noNaN: true }).map(String),
    threshold_value: fc.constant('0.3'),
    summary: fc.string({ maxLength: 40 }),
    documentation: fc.oneof(fc.string({ maxLength: 20 }), fc.record({ content: fc.string({ maxLength: 20 }), mime_type: fc.constant('text/markdown') })),
    metric: model.map((m) => ({ type: 'custom.googleapis.com/mlops/drift/feature_score', displayName: 'feature score', labels: { model: m, version: '1', feature: 'distance', metric: 'jensen_shannon' } })),
    resource: fc.constant({ type: 'global', labels: { project_id: 'local-project' } }),
  });
const notification = (inner: fc.Arbitrary<Record<string, unknown>>) => inner.map((i) => ({ version: '1.2', incident: i }));
const notAnInt = fc.oneof(fc.string({ maxLength: 5 }), fc.double({ noInteger: true, noNaN: true }), fc.boolean(), fc.constant(null));
const incidentMessages: fc.Arbitrary<Generated> = fc.oneof(
  fc.string({ maxLength: 40 }).filter((t) => { try { JSON.parse(t); return false; } catch { return true; } }).map((text): Generated => ({ data: text, poison: ['data'] })),
  fc.tuple(incident(unknownModel), fc.constantFrom(...INCIDENT_REQUIRED)).map(([i, field]): Generated => {
    const copy: Record<string, unknown> = { ...i };
    delete copy[field];
    return { data: JSON.stringify({ version: '1.2', incident: copy }), poison: [`incident.${field}`] };
  }),
  fc.tuple(incident(unknownModel), notAnInt).map(([i, value]): Generated => ({ data: JSON.stringify({ version: '1.2', incident: { ...i, started_at: value } }), poison: ['incident.started_at'] })),
  fc.tuple(incident(unknownModel), fc.string({ maxLength: 8 }).filter((s) => s !== 'open' && s !== 'closed')).map(([i, state]): Generated => ({ data: JSON.stringify({ version: '1.2', incident: { ...i, state } }), poison: ['incident.state'] })),
  fc.tuple(notification(incident(unknownModel)), fc.constantFrom('1.1', '2', '', 'v1.2')).map(([n, version]): Generated => ({ data: JSON.stringify({ ...n, version }), poison: ['version'] })),
  // Well-formed and open, about a model the catalog does not have: parked with the reason.
  notification(incident(unknownModel, fc.constant('open'))).map((n): Generated => ({ data: JSON.stringify(n), poison: ['is not a managed model'] })),
  // Closed incidents of the managed model: acknowledged, nothing happens.
  notification(incident(fc.constant(MODEL), fc.constant('closed'))).map((n): Generated => ({ data: JSON.stringify(n) })),
  // Open incidents of another metric (a latency policy on the same channel): acknowledged.
  notification(incident(fc.constant(MODEL), fc.constant('open'))).map((n): Generated => ({ data: JSON.stringify({ ...n, incident: { ...n.incident, metric: { type: 'custom.googleapis.com/mlops/rollout/latency_p95_ms', labels: { model: MODEL } } } }) })),
);

/** Attributes as Pub/Sub allows them (keys not starting with `goog`). */
const attributes = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !k.startsWith('goog') && k !== CASE),
  fc.string({ maxLength: 100 }),
  { maxKeys: 6 },
);

/** Push bodies that are not a Pub/Sub message at all. */
const notAPush = fc.oneof(fc.anything({ maxDepth: 2 }), fc.record({ message: fc.anything({ maxDepth: 1 }) }), fc.record({ message: fc.record({ data: fc.integer() }) }));

describe.skipIf(skipReason !== undefined)('event handlers under fuzzed Pub/Sub messages', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let pubsub: PubSub;
  let handlers: { submitTrainingRun: Handler; submitTuningRun: Handler; onPipelineRunEvent: Handler; onMonitoringAlert: Handler };
  const savedEnv = { ...process.env };
  // Dead-lettered copies, gathered from mlops-dead-letter-inspect by the case attribute.
  const parked = new Map<string, ReceivedMessage[]>();

  beforeAll(async () => {
    cloud = await startTestCloud({ vertex: true, pubsub: true });
    ctx = await controlPlaneOn(cloud);
    pubsub = pubSubClient(clientEnvironmentOf(cloud));
    // The handlers read their settings from the environment on first use, as deployed.
    Object.assign(process.env, controlPlaneEnv(cloud));
    handlers = {
      submitTrainingRun: (await import('../../../functions/submit-training-run.js')).submitTrainingRun,
      submitTuningRun: (await import('../../../functions/submit-tuning-run.js')).submitTuningRun,
      onPipelineRunEvent: (await import('../../../functions/on-pipeline-run-event.js')).onPipelineRunEvent,
      onMonitoringAlert: (await import('../../../functions/on-monitoring-alert.js')).onMonitoringAlert,
    };
  }, 120_000);

  afterAll(async () => {
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  async function collectParked(cases: ReadonlySet<string>): Promise<void> {
    const received = await receiveUntil(pubsub, 'mlops-dead-letter-inspect', (all) => cases.size === new Set(all.map((m) => m.attributes[CASE]).filter((c) => c !== undefined && cases.has(c))).size, 60_000);
    for (const message of received) {
      const id = message.attributes[CASE];
      if (id !== undefined) parked.set(id, [...(parked.get(id) ?? []), message]);
    }
  }

  for (const [fn, topic, arbitrary] of [
    ['submitTrainingRun', 'retraining-requests', retrainingMessages],
    ['submitTuningRun', 'tuning-requests', tuningMessages],
    ['onPipelineRunEvent', 'pipeline-run-events', pipelineMessages],
    ['onMonitoringAlert', 'model-monitoring-alerts', incidentMessages],
  ] as const) {
    it(`${fn}: ${FUZZ_RUNS} messages, no crash; garbage dead-lettered with a reason naming the field`, async () => {
      const expected = new Map<string, { poison: readonly string[]; data: string }>();
      const failedRuns: { model: string; requestId: string }[] = [];
      let n = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, attributes, async (generated, attrs) => {
          const id = `${fn}-${n++}`;
          const bytes = Buffer.isBuffer(generated.data) ? generated.data : Buffer.from(String(generated.data), 'utf8');
          const data = { message: { data: bytes.toString('base64'), attributes: { ...attrs, [CASE]: id }, messageId: id, publishTime: new Date().toISOString() }, subscription: `projects/local-project/subscriptions/${topic}-fuzz` };
          const outcome = await handlers[fn](pubSubCloudEvent(data, id, topic)).then(
            () => undefined,
            (error: unknown) => error,
          );
          // Acknowledged, or redelivered: never a failure that no redelivery can cure.
          if (outcome !== undefined) expect(isTransient(outcome), `${id} threw ${describeError(outcome)}`).toBe(true);
          if (generated.poison) expected.set(id, { poison: generated.poison, data: bytes.toString('utf8') });
          if (generated.failsRun) failedRuns.push(generated.failsRun);
        }),
        { numRuns: FUZZ_RUNS },
      );

      await collectParked(new Set(expected.keys()));
      for (const [id, { poison, data }] of expected) {
        const copies = parked.get(id) ?? [];
        expect(copies.length, `${id} (${data.slice(0, 120)}) on the dead-letter topic`).toBeGreaterThan(0);
        const { attributes: parkedAttributes, data: parkedData } = copies[0]!;
        expect(parkedAttributes.function, id).toBe(fn);
        expect(parkedData, id).toBe(data);
        for (const field of poison) expect(parkedAttributes.reason, `${id}: ${data.slice(0, 200)}`).toContain(field.includes(' ') ? field : `${field}: `);
      }
      // Nothing well-formed was parked.
      const wellFormedParked = [...parked.keys()].filter((id) => id.startsWith(`${fn}-`) && !expected.has(id));
      expect(wellFormedParked).toEqual([]);
      for (const { model, requestId } of failedRuns) {
        const run = await ctx.runs.get(trainingRunId(model, requestId));
        expect(run?.value.state, `${model}/${requestId}`).toBe('FAILED');
      }
    }, 180_000);
  }

  it('push bodies that are not Pub/Sub messages at all: no crash', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(notAPush, fc.constantFrom<keyof typeof handlers>('submitTrainingRun', 'submitTuningRun', 'onPipelineRunEvent', 'onMonitoringAlert'), async (data, fn) => {
        const outcome = await handlers[fn](pubSubCloudEvent(data, `not-a-push-${n++}`)).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome !== undefined) expect(isTransient(outcome), describeError(outcome)).toBe(true);
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  it("what is parked stays within Pub/Sub's limits (100 attributes, values of 1,024 bytes), however big the poison", async () => {
    // Google's Pub/Sub refuses a message past these limits (its emulator does not check them), and a
    // refused dead-letter publish would leave the poison to be retried with its reason lost.
    const poison = [
      { id: 'max-attributes', data: 'not json', attributes: Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`a${i}`, 'x'.repeat(1024)])) },
      { id: 'long-reason', data: JSON.stringify({ requestId: 'r', model: MODEL, trigger: 'api', requestTime: '2026-01-05T03:00:00Z', ['€'.repeat(200)]: 1, ['ü'.repeat(200)]: 2 }), attributes: {} },
    ];
    for (const { id, data, attributes: attrs } of poison) {
      const push = { message: { data: Buffer.from(data).toString('base64'), attributes: { [CASE]: id, ...attrs }, messageId: id }, subscription: 'projects/local-project/subscriptions/fuzz' };
      const outcome = await handlers.submitTrainingRun(pubSubCloudEvent(push, id)).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (outcome !== undefined) expect(isTransient(outcome), describeError(outcome)).toBe(true);
    }
    await collectParked(new Set(poison.map((p) => p.id)));
    for (const { id } of poison) {
      const copy = parked.get(id)?.[0];
      expect(copy?.attributes.reason, id).toMatch(/\S/);
      const entries = Object.entries(copy!.attributes);
      expect(entries.length, id).toBeLessThanOrEqual(100);
      for (const [key, value] of entries) {
        expect(Buffer.byteLength(key), `${id}: key ${key.slice(0, 20)}`).toBeLessThanOrEqual(256);
        expect(Buffer.byteLength(value), `${id}: ${key}`).toBeLessThanOrEqual(1024);
      }
    }
    expect(parked.get('long-reason')?.[0]?.attributes.reason).toMatch(/^€+: Unrecognized key/);
  }, 60_000);
});
