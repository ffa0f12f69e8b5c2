// What a dev stack with the shipped model specs creates, counted from the declarations the program
// is built from (FUNCTIONS, PUBSUB_TOPOLOGY, the specs, the BigQuery table declarations) rather
// than from numbers written down here; and the stack's outputs.
import { FEATURE_SCORE_METRIC } from '../../control-plane/config/drift-metrics.js';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AUDIT_TABLE, MODEL_CHECKS_TABLE } from '../../control-plane/config/bigquery-tables.js';
import { defaultBuckets } from '../../control-plane/runtime/settings.js';
import { driftAlertModels } from '../../infra/alert-policies.js';
import { FUNCTIONS } from '../../infra/functions.js';
import { PUBSUB_TOPOLOGY } from '../../infra/pubsub-topology.js';
import { TOPICS } from '../../control-plane/config/topics.js';
import { IAM_BINDINGS } from '../../infra/iam-bindings.js';
import type { StackRun } from './support.js';
import { TEST_PROJECT, TYPES, devStackValues, field, mockFunctionUrl, runStack, tempBundle } from './support.js';

const bundle = tempBundle();
afterAll(() => rmSync(bundle, { recursive: true, force: true }));

let run: StackRun;
beforeAll(async () => {
  run = await runStack(devStackValues(bundle));
});

/** The API whose service agent each agent principal of the IAM table is. */
const AGENT_SERVICES: Record<string, string> = { pubsubServiceAgent: 'pubsub.googleapis.com', monitoringNotificationAgent: 'monitoring.googleapis.com' };

const sorted = (values: readonly unknown[]) => values.map(String).sort();
const inputsOf = (type: string, key: string) => run.ofType(type).map((r) => r.inputs[key]);

/** Each model's request-response log and actuals table in the stack's project (the tables the specs name). */
function modelTables(): { datasetId: string; tableId: string }[] {
  return run.specs
    .flatMap((s) => [s.endpoint.requestResponseLogging?.bigqueryTable, s.rollout.groundTruth?.table])
    .flatMap((t) => (t && (t.projectId === undefined || t.projectId === TEST_PROJECT) ? [t] : []));
}

describe('a dev stack with the shipped model specs', () => {
  test('the shipped specs are what the stack was built from (and there is at least one model)', () => {
    expect(run.config.environment).toBe('dev');
    expect(run.specs.length).toBeGreaterThan(0);
    expect(run.specs.every((s) => s.environment === 'dev')).toBe(true);
  });

  test('enables the APIs the resources need', () => {
    const services = inputsOf(TYPES.service, 'service');
    expect(new Set(services).size).toBe(services.length);
    for (const api of ['cloudfunctions', 'run', 'cloudbuild', 'artifactregistry', 'pubsub', 'cloudscheduler', 'monitoring', 'aiplatform', 'bigquery', 'storage', 'iamcredentials']) {
      expect(services).toContain(`${api}.googleapis.com`);
    }
    for (const api of run.ofType(TYPES.service)) expect(api.inputs.disableOnDestroy, `${String(api.inputs.service)} stays enabled on destroy`).toBe(false);
  });

  test("makes the service agents the IAM table grants to exist (a fresh project has no Monitoring notification agent until asked)", () => {
    const agents = [...new Set(IAM_BINDINGS.map((b) => b.principal).filter((p) => !p.startsWith('fn:') && !['pipelines', 'scheduler', 'build', 'approvers'].includes(p)))];
    expect(sorted(inputsOf(TYPES.serviceIdentity, 'service'))).toEqual(sorted(agents.map((a) => AGENT_SERVICES[a]!)));
  });

  test('creates the state, pipelines and function-sources buckets, private and uniform', () => {
    const { stateBucket, pipelineBucket } = defaultBuckets(TEST_PROJECT);
    const sourceBucket = run.ofType(TYPES.bucketObject)[0]?.inputs.bucket;
    expect(sorted(inputsOf(TYPES.bucket, 'name'))).toEqual(sorted([stateBucket, pipelineBucket, sourceBucket]));
    for (const bucket of run.ofType(TYPES.bucket)) {
      expect(bucket.inputs.uniformBucketLevelAccess, bucket.name).toBe(true);
      expect(bucket.inputs.publicAccessPrevention, bucket.name).toBe('enforced');
      expect(String(bucket.inputs.location).toLowerCase(), bucket.name).toBe(run.config.region);
    }
    const byName = (name: string) => run.ofType(TYPES.bucket).find((b) => b.inputs.name === name)!;
    expect(field(byName(stateBucket).inputs, 'versioning', 'enabled')).toBe(true);
    const deletesUnder = (name: string, prefix: string) =>
      ((byName(name).inputs.lifecycleRules ?? []) as unknown[]).some((rule) => field(rule, 'action', 'type') === 'Delete' && ((field(rule, 'condition', 'matchesPrefixes') ?? []) as string[]).includes(prefix) && Number(field(rule, 'condition', 'age')) > 0);
    // Training snapshots are exported under the pipelines bucket's snapshots/ (control-plane/retraining).
    expect(deletesUnder(pipelineBucket, 'snapshots/')).toBe(true);
    expect(deletesUnder(stateBucket, 'monitoring-incidents/')).toBe(true);
  });

  test('creates the audit and model-checks tables and each model\'s request-response log and actuals table, in their datasets', () => {
    const tables = [AUDIT_TABLE, MODEL_CHECKS_TABLE, ...modelTables()];
    expect(sorted(inputsOf(TYPES.dataset, 'datasetId'))).toEqual(sorted([...new Set(tables.map((t) => t.datasetId))]));
    expect(sorted(run.ofType(TYPES.table).map((t) => `${String(t.inputs.datasetId)}.${String(t.inputs.tableId)}`))).toEqual(sorted(tables.map((t) => `${t.datasetId}.${t.tableId}`)));
    for (const table of run.ofType(TYPES.table)) expect(table.inputs.deletionProtection, `${table.name}: deletionProtection is set explicitly`).toBeTypeOf('boolean');
    for (const declared of [AUDIT_TABLE, MODEL_CHECKS_TABLE]) {
      const table = run.ofType(TYPES.table).find((t) => t.inputs.datasetId === declared.datasetId && t.inputs.tableId === declared.tableId)!;
      const schema = JSON.parse(String(table.inputs.schema)) as { name: string; type: string; mode: string }[];
      expect(schema.map((c) => [c.name, c.type, c.mode])).toEqual(declared.schema.map((c) => [c.name, c.type, c.mode]));
      if (declared.timePartitioningField) expect(field(table.inputs, 'timePartitioning', 'field')).toBe(declared.timePartitioningField);
    }
  });

  test('creates the topics and subscriptions of PUBSUB_TOPOLOGY, each subscription on its topic', () => {
    expect(sorted(inputsOf(TYPES.topic, 'name'))).toEqual(sorted(PUBSUB_TOPOLOGY.map((t) => t.name)));
    const declared = PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.map((s) => ({ topic: t.name, name: s.name })));
    expect(sorted(inputsOf(TYPES.subscription, 'name'))).toEqual(sorted(declared.map((s) => s.name)));
    for (const { topic, name } of declared) {
      const subscription = run.ofType(TYPES.subscription).find((s) => s.inputs.name === name)!;
      expect(String(subscription.inputs.topic), name).toMatch(new RegExp(`(^|/topics/)${topic}$`));
    }
  });

  test('creates one service account per function, one for pipelines, one for Scheduler and one for Cloud Build', () => {
    const ids = inputsOf(TYPES.serviceAccount, 'accountId');
    expect(ids).toHaveLength(FUNCTIONS.length + 3);
    for (const own of ['pipelines', 'scheduler', 'build']) expect(ids, own).toContain(`${run.config.namePrefix}-${own}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(String(id)).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
  });

  test('creates the functions of infra/functions.ts from one uploaded bundle', () => {
    expect(sorted(inputsOf(TYPES.function, 'name'))).toEqual(sorted(FUNCTIONS.map((f) => f.name)));
    expect(run.ofType(TYPES.bucketObject)).toHaveLength(1);
  });

  test('creates a Scheduler job per scheduled model, plus the rollout reconcile and the drift check', () => {
    const scheduled = run.specs.filter((s) => s.schedule !== undefined);
    expect(run.ofType(TYPES.schedulerJob)).toHaveLength(scheduled.length + 2);
  });

  test('creates the Pub/Sub channel, an email channel per alert address, and a drift alert policy per model with a drift policy', () => {
    const channels = run.ofType(TYPES.notificationChannel);
    expect(channels.filter((c) => c.inputs.type === 'pubsub').map((c) => field(c.inputs, 'labels', 'topic'))).toEqual([`projects/${TEST_PROJECT}/topics/${TOPICS.monitoringAlerts}`]);
    expect(sorted(channels.filter((c) => c.inputs.type === 'email').map((c) => field(c.inputs, 'labels', 'email_address')))).toEqual(sorted(run.config.alertEmails));
    expect(channels).toHaveLength(1 + run.config.alertEmails.length);
    const models = driftAlertModels(run.specs);
    expect(models.length).toBeGreaterThan(0);
    expect(sorted(run.ofType(TYPES.alertPolicy).map((p) => field(p.inputs, 'userLabels', 'model')))).toEqual(sorted(models.map((m) => m.name)));
    const channelNames = channels.map((c) => c.state.name);
    for (const policy of run.ofType(TYPES.alertPolicy)) expect(sorted(policy.inputs.notificationChannels as unknown[]), policy.name).toEqual(sorted(channelNames));
    // The metric the policies' filters name exists before checkDrift first writes it (else Monitoring refuses the policies).
    const descriptors = run.ofType(TYPES.metricDescriptor);
    expect(descriptors.map((d) => [d.inputs.type, d.inputs.metricKind, d.inputs.valueType])).toEqual([[FEATURE_SCORE_METRIC, 'GAUGE', 'DOUBLE']]);
    expect(sorted((descriptors[0]!.inputs.labels as { key: string }[]).map((l) => l.key))).toEqual(['feature', 'metric', 'model', 'version']);
    for (const policy of run.ofType(TYPES.alertPolicy)) expect(JSON.stringify(policy.inputs.conditions), policy.name).toContain(FEATURE_SCORE_METRIC);
  });

  test('creates a Vertex AI endpoint per model, logging requests and responses to its spec\'s table', () => {
    const endpoints = run.ofType(TYPES.endpoint);
    expect(sorted(endpoints.map((e) => e.inputs.name))).toEqual(sorted(run.specs.map((s) => s.name)));
    for (const spec of run.specs) {
      const endpoint = endpoints.find((e) => e.inputs.name === spec.name)!;
      expect(endpoint.inputs.location).toBe(run.config.region);
      const logging = spec.endpoint.requestResponseLogging;
      if (!logging) continue;
      expect(endpoint.inputs.predictRequestResponseLoggingConfig).toEqual({
        enabled: true,
        samplingRate: logging.samplingRate,
        bigqueryDestination: { outputUri: `bq://${logging.bigqueryTable.projectId ?? TEST_PROJECT}.${logging.bigqueryTable.datasetId}.${logging.bigqueryTable.tableId}` },
      });
    }
  });

  test('creates nothing else: every gcp resource type is one of the inventory\'s or an IAM member', () => {
    const known = new Set<string>(Object.values(TYPES));
    const others = [...new Set(run.resources.map((r) => r.type).filter((t) => t.startsWith('gcp:') && !known.has(t)))];
    expect(others.filter((t) => !/IamMember$|IAMMember$/i.test(t))).toEqual([]);
  });

  test('exports the API URL, the bucket, topic and endpoint names', () => {
    expect(run.outputs.apiUrl).toBe(mockFunctionUrl('mlopsApi', TEST_PROJECT, run.config.region));
    expect(sorted(Object.values(run.outputs.buckets))).toEqual(sorted(inputsOf(TYPES.bucket, 'name')));
    expect(sorted(Object.values(run.outputs.topics))).toEqual(sorted(PUBSUB_TOPOLOGY.map((t) => t.name)));
    expect(sorted(Object.values(run.outputs.endpoints))).toEqual(sorted(run.specs.map((s) => s.name)));
  });
});
