// Least privilege by construction: the IAM members the program creates are exactly the rows of
// infra/iam-bindings.ts (read here too), each on the resource its scope names; no basic roles, no
// public principals, no authoritative bindings that would remove grants the stack does not own.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseModelSpec, resolveForEnvironment } from '../../control-plane/config/load-model-specs.js';
import { modelCardUris } from '../../control-plane/governance/model-card-link.js';
import { buildTrainingPipelineJob } from '../../control-plane/retraining/pipeline-run.js';
import { newTrainingRun } from '../../control-plane/retraining/submit-training-run.js';
import { defaultBuckets } from '../../control-plane/runtime/settings.js';
import { parseGcsUri } from '../../vertex/shared/storage-uris.js';
import { shippedText } from '../control-plane/config/support.js';
import { FUNCTIONS } from '../../infra/functions.js';
import type { IamBinding, Principal, Scope } from '../../infra/iam-bindings.js';
import { IAM_BINDINGS, isPushDeliveryGrant } from '../../infra/iam-bindings.js';
import { PUBSUB_TOPOLOGY } from '../../infra/pubsub-topology.js';
import type { RecordedResource, StackRun } from './support.js';
import { PROJECT_NUMBER, TEST_PROJECT, TYPES, devStackValues, field, runStack, stringsIn, tempBundle } from './support.js';

const bundle = tempBundle();
afterAll(() => rmSync(bundle, { recursive: true, force: true }));

let run: StackRun;
beforeAll(async () => {
  run = await runStack(devStackValues(bundle));
});

const BASIC_ROLE = /^roles\/(owner|editor|viewer)$/;
const PUBLIC_MEMBER = /\b(allUsers|allAuthenticatedUsers)\b/;

/** The IAM member resource types, and the resource each is created on. */
const MEMBER_TYPES: Record<string, { kind: Scope['kind']; target: (inputs: Record<string, unknown>) => unknown }> = {
  'gcp:projects/iAMMember:IAMMember': { kind: 'project', target: (i) => i.project },
  'gcp:storage/bucketIAMMember:BucketIAMMember': { kind: 'bucket', target: (i) => i.bucket },
  'gcp:bigquery/datasetIamMember:DatasetIamMember': { kind: 'dataset', target: (i) => i.datasetId },
  'gcp:pubsub/topicIAMMember:TopicIAMMember': { kind: 'topic', target: (i) => i.topic },
  'gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember': { kind: 'subscription', target: (i) => i.subscription },
  'gcp:cloudrunv2/serviceIamMember:ServiceIamMember': { kind: 'function', target: (i) => i.name },
  'gcp:cloudfunctionsv2/functionIamMember:FunctionIamMember': { kind: 'function', target: (i) => i.cloudFunction },
  'gcp:cloudrun/iamMember:IamMember': { kind: 'function', target: (i) => i.service },
  'gcp:serviceaccount/iAMMember:IAMMember': { kind: 'serviceAccount', target: (i) => i.serviceAccountId },
};
const lastSegment = (value: unknown) => String(value).slice(String(value).lastIndexOf('/') + 1);

/** The people of the `approvers` row: the stack's and the specs' approvers, one per address whatever its case. */
function approversOf(r: StackRun): string[] {
  const all = [...r.config.approvers, ...r.specs.flatMap((s) => s.approvals.approvers)];
  return [...new Map(all.map((e) => [e.toLowerCase(), e.toLowerCase()])).values()];
}

/** The IAM members a principal of the table stands for. */
function membersOf(r: StackRun, principal: Principal): string[] {
  if (principal === 'approvers') return approversOf(r).map((e) => `user:${e}`);
  return [`serviceAccount:${emailOf(r, principal)}`];
}

/** The account id A's naming gives a principal of the table: `<prefix>-<kebab name>`. */
function emailOf(r: StackRun, principal: Exclude<Principal, 'approvers'>): string {
  if (principal === 'pubsubServiceAgent') return `service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
  if (principal === 'monitoringNotificationAgent') return `service-${PROJECT_NUMBER}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
  const id = principal.startsWith('fn:') ? principal.slice(3).replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() : principal;
  const account = r.ofType(TYPES.serviceAccount).find((a) => a.inputs.accountId === `${r.config.namePrefix}-${id}`);
  if (!account) throw new Error(`no service account for ${principal}`);
  return String(account.state.email);
}

/** Each IAM member resource as `member role kind:target`, the target named as the table names it. */
function grantsIn(r: StackRun, resources: readonly RecordedResource[]): string[] {
  const functions = r.ofType(TYPES.function);
  const accounts = r.ofType(TYPES.serviceAccount);
  const name = (kind: Scope['kind'], raw: unknown): string => {
    switch (kind) {
      case 'function': {
        // By the function's name, its Cloud Run service (`projects/.../services/<name>`) or that service's id.
        const fn = functions.find((f) => raw === f.inputs.name || raw === field(f.state, 'serviceConfig', 'service') || lastSegment(raw) === String(f.inputs.name).toLowerCase());
        return fn ? String(fn.inputs.name) : `unknown function ${String(raw)}`;
      }
      case 'serviceAccount': {
        const account = accounts.find((a) => raw === a.state.name || raw === a.state.email || raw === a.state.id);
        return account ? String(account.state.email) : `unknown account ${String(raw)}`;
      }
      case 'topic':
      case 'subscription':
        return lastSegment(raw);
      default:
        return String(raw);
    }
  };
  return resources.flatMap((resource) => {
    const type = MEMBER_TYPES[resource.type];
    if (!type) return [];
    const condition = (resource.inputs.condition as { expression?: string } | undefined)?.expression;
    return [`${String(resource.inputs.member)} ${String(resource.inputs.role)} ${type.kind}:${name(type.kind, type.target(resource.inputs))}${condition === undefined ? '' : ` if ${condition}`}`];
  });
}

/** The grants the table asks for, in the same form. */
function expectedGrants(r: StackRun, bindings: readonly IamBinding[] = IAM_BINDINGS): string[] {
  const { stateBucket, pipelineBucket } = defaultBuckets(TEST_PROJECT);
  const buckets: Record<string, unknown> = { state: stateBucket, pipelines: pipelineBucket, functionSources: r.ofType(TYPES.bucketObject)[0]?.inputs.bucket };
  // The datasets of the models' tables in this project (a table of another project is its owner's to grant).
  const modelTables = r.specs.flatMap((s) => [s.endpoint.requestResponseLogging?.bigqueryTable, s.rollout.groundTruth?.table]);
  const modelDatasets = [...new Set(modelTables.flatMap((t) => (t && (t.projectId === undefined || t.projectId === TEST_PROJECT) ? [t.datasetId] : [])))];
  return bindings.flatMap((b) => {
    const targets = ((scope: Scope): string[] => {
      switch (scope.kind) {
        case 'project':
          return [`project:${TEST_PROJECT}`];
        case 'bucket':
          // Written out here, not taken from the program: the condition Google evaluates on object names.
          return [`bucket:${String(buckets[scope.bucket])}${scope.objectPrefix === undefined ? '' : ` if resource.name.startsWith("projects/_/buckets/${String(buckets[scope.bucket])}/objects/${scope.objectPrefix}")`}`];
        case 'dataset':
          return [`dataset:${scope.dataset}`];
        case 'modelDatasets':
          return modelDatasets.map((d) => `dataset:${d}`);
        case 'topic':
          return [`topic:${scope.topic}`];
        case 'subscription':
          return [`subscription:${scope.subscription}`];
        case 'function':
          return [`function:${scope.function}`];
        case 'serviceAccount':
          return [`serviceAccount:${emailOf(r, scope.account)}`];
      }
    })(b.scope);
    return membersOf(r, b.principal).flatMap((member) => targets.map((target) => `${member} ${b.role} ${target}`));
  });
}

/** What is wrong with the IAM of a set of resources, one line per problem (empty: nothing). */
function iamProblems(r: StackRun, resources: readonly RecordedResource[]): string[] {
  const problems: string[] = [];
  for (const resource of resources) {
    for (const { path, value } of stringsIn(resource.inputs)) {
      if (PUBLIC_MEMBER.test(value)) problems.push(`${resource.name}: ${path} grants ${value}`);
      if (BASIC_ROLE.test(value)) problems.push(`${resource.name}: ${path} is the basic role ${value}`);
    }
    if (/IAM(Binding|Policy)$|Iam(Binding|Policy)$/.test(resource.type)) problems.push(`${resource.name}: ${resource.type} is authoritative (it would remove grants the stack does not own)`);
    if (/iam/i.test(resource.type) && resource.type.startsWith('gcp:') && !(resource.type in MEMBER_TYPES)) problems.push(`${resource.name}: ${resource.type} is an IAM resource the test does not know`);
  }
  const actual = grantsIn(r, resources).sort();
  const expected = expectedGrants(r).sort();
  const missing = [...expected];
  for (const grant of actual) {
    const at = missing.indexOf(grant);
    if (at >= 0) missing.splice(at, 1);
    else problems.push(`not in infra/iam-bindings.ts (or granted twice): ${grant}`);
  }
  for (const grant of missing) problems.push(`in infra/iam-bindings.ts but not created: ${grant}`);
  return problems;
}

describe('the IAM table (infra/iam-bindings.ts)', () => {
  test('grants no basic role and names only principals and resources the stack declares', () => {
    const topics = new Set(PUBSUB_TOPOLOGY.map((t) => t.name));
    const subscriptions = new Set(PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.map((s) => s.name)));
    const functions = new Set(FUNCTIONS.map((f) => f.name));
    const principal = (p: Principal) => (p.startsWith('fn:') ? functions.has(p.slice(3)) : ['pipelines', 'scheduler', 'build', 'pubsubServiceAgent', 'monitoringNotificationAgent', 'approvers'].includes(p));
    for (const b of IAM_BINDINGS) {
      const row = `${b.principal} ${b.role} ${JSON.stringify(b.scope)}`;
      expect(b.role, row).toMatch(/^roles\/[a-zA-Z]+\.[a-zA-Z.]+$/);
      expect(b.role, row).not.toMatch(BASIC_ROLE);
      expect(principal(b.principal), row).toBe(true);
      expect(b.why.trim().length, `${row}: says why`).toBeGreaterThan(10);
      if (b.scope.kind === 'topic') expect(topics.has(b.scope.topic), row).toBe(true);
      if (b.scope.kind === 'subscription') expect(subscriptions.has(b.scope.subscription), row).toBe(true);
      if (b.scope.kind === 'function') expect(functions.has(b.scope.function), row).toBe(true);
      if (b.scope.kind === 'serviceAccount') expect(principal(b.scope.account), row).toBe(true);
    }
  });

  test('grants on the project only roles Google offers on nothing narrower', () => {
    const projectOnly = new Set(['roles/aiplatform.user', 'roles/aiplatform.viewer', 'roles/bigquery.jobUser', 'roles/cloudbuild.builds.builder', 'roles/monitoring.metricWriter', 'roles/monitoring.viewer']);
    for (const b of IAM_BINDINGS.filter((b) => b.scope.kind === 'project')) expect(projectOnly.has(b.role), `${b.principal} ${b.role} on the project`).toBe(true);
  });

  test('names, for each pushed function, the two grants its push subscription waits for (invoker of its identity, token creator for Pub/Sub)', () => {
    const pushed = PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.flatMap((s) => (s.pushToFunction ? [s.pushToFunction] : [])));
    expect(pushed.length).toBeGreaterThan(0);
    for (const name of pushed) {
      const rows = IAM_BINDINGS.filter((b) => isPushDeliveryGrant(b, name)).map((b) => `${b.principal} ${b.role} ${JSON.stringify(b.scope)}`);
      expect(rows.sort(), name).toEqual(
        [`fn:${name} roles/run.invoker ${JSON.stringify({ kind: 'function', function: name })}`, `pubsubServiceAgent roles/iam.serviceAccountTokenCreator ${JSON.stringify({ kind: 'serviceAccount', account: `fn:${name}` })}`].sort(),
      );
    }
  });

  test('lists each grant once', () => {
    const rows = IAM_BINDINGS.map((b) => `${b.principal} ${b.role} ${JSON.stringify(b.scope)}`);
    expect(rows.filter((row, i) => rows.indexOf(row) !== i)).toEqual([]);
  });

  test('gives every function account a role, and no public invoker', () => {
    for (const fn of FUNCTIONS) expect(IAM_BINDINGS.some((b) => b.principal === `fn:${fn.name}`), fn.name).toBe(true);
  });
});

describe('the program applies exactly the table', () => {
  test('no basic role, no allUsers or allAuthenticatedUsers anywhere, no authoritative IAM resource', () => {
    expect(iamProblems(run, run.resources).filter((p) => !p.includes('infra/iam-bindings.ts'))).toEqual([]);
  });

  test('each principal holds exactly its rows of the table, each on the resource its scope names', () => {
    const actual = grantsIn(run, run.resources);
    const expected = expectedGrants(run);
    expect(actual.length).toBeGreaterThan(0);
    // Per principal, for a readable failure.
    const members = [...new Set([...actual, ...expected].map((g) => g.split(' ')[0]!))];
    for (const member of members) {
      const mine = (grants: string[]) => grants.filter((g) => g.startsWith(`${member} `)).sort();
      expect(mine(actual), member).toEqual(mine(expected));
    }
  });

  test('every IAM member is on the stack\'s project or one of its resources', () => {
    for (const resource of run.resources.filter((r) => r.type in MEMBER_TYPES)) {
      if (resource.inputs.project !== undefined) expect(resource.inputs.project, resource.name).toBe(TEST_PROJECT);
    }
  });

  // What the table must hold, whatever else it says: the grants without which delivery silently fails.
  test("Pub/Sub's service agent may publish to each dead-letter topic and acknowledge each dead-lettering subscription", () => {
    const grants = grantsIn(run, run.resources);
    const agent = `serviceAccount:${emailOf(run, 'pubsubServiceAgent')}`;
    const deadLettering = PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.flatMap((s) => (s.deadLetter ? [{ subscription: s.name, topic: s.deadLetter.topic }] : [])));
    expect(deadLettering.length).toBeGreaterThan(0);
    for (const { subscription, topic } of deadLettering) {
      expect(grants, subscription).toContain(`${agent} roles/pubsub.publisher topic:${topic}`);
      expect(grants, subscription).toContain(`${agent} roles/pubsub.subscriber subscription:${subscription}`);
    }
  });

  test("Monitoring's notification agent may publish to the Pub/Sub notification channel's topic", () => {
    const grants = grantsIn(run, run.resources);
    const agent = `serviceAccount:${emailOf(run, 'monitoringNotificationAgent')}`;
    const channels = run.ofType(TYPES.notificationChannel).filter((c) => c.inputs.type === 'pubsub');
    expect(channels.length).toBeGreaterThan(0);
    for (const channel of channels) expect(grants).toContain(`${agent} roles/pubsub.publisher topic:${lastSegment(field(channel.inputs, 'labels', 'topic'))}`);
  });

  test('each approver (stack and specs, deduplicated whatever the case) may invoke mlopsApi and nothing else; no public member', async () => {
    const mixed = await runStack(devStackValues(bundle, { 'mlops:approvers': JSON.stringify(['ML-Lead@Example.com', 'second@example.com']) }));
    const approvers = approversOf(mixed);
    expect(approvers).toContain('ml-lead@example.com');
    expect(approvers).toContain('second@example.com');
    expect(approvers.length).toBeGreaterThanOrEqual(2);
    const userGrants = grantsIn(mixed, mixed.resources).filter((g) => g.startsWith('user:'));
    expect(userGrants.sort()).toEqual(approvers.map((e) => `user:${e} roles/run.invoker function:mlopsApi`).sort());
    for (const resource of mixed.resources) for (const { path, value } of stringsIn(resource.inputs)) expect(PUBLIC_MEMBER.test(value), `${resource.name}: ${path}`).toBe(false);
  });

  test("checkDrift only reads Vertex AI (aiplatform.viewer, not aiplatform.user)", () => {
    const grants = grantsIn(run, run.resources).filter((g) => g.startsWith(`serviceAccount:${emailOf(run, 'fn:checkDrift')} roles/aiplatform.`));
    expect(grants).toEqual([`serviceAccount:${emailOf(run, 'fn:checkDrift')} roles/aiplatform.viewer project:${TEST_PROJECT}`]);
  });

  test("onPipelineRunEvent writes to the pipelines bucket only under tuning-runs/ and pipeline-root/ (IAM conditions); it reads the rest", () => {
    const pipelineBucket = defaultBuckets(TEST_PROJECT).pipelineBucket;
    const account = `serviceAccount:${emailOf(run, 'fn:onPipelineRunEvent')}`;
    const grants = grantsIn(run, run.resources).filter((g) => g.startsWith(`${account} roles/storage.`) && g.includes(`bucket:${pipelineBucket}`));
    expect(grants.sort()).toEqual([
      `${account} roles/storage.objectUser bucket:${pipelineBucket} if resource.name.startsWith("projects/_/buckets/${pipelineBucket}/objects/pipeline-root/")`,
      `${account} roles/storage.objectUser bucket:${pipelineBucket} if resource.name.startsWith("projects/_/buckets/${pipelineBucket}/objects/tuning-runs/")`,
      `${account} roles/storage.objectViewer bucket:${pipelineBucket}`,
    ]);
  });

  // The completion writes the approved version's card beside its artifacts (training-governance.ts):
  // some write grant of onPipelineRunEvent must cover those objects, or the cloud answers 403.
  test("onPipelineRunEvent may write the model card where modelCardUris puts it (beside a training PipelineJob's artifacts)", () => {
    const settings = { projectId: TEST_PROJECT, region: 'us-central1', environment: 'dev', ...defaultBuckets(TEST_PROJECT) } as const;
    const spec = resolveForEnvironment(parseModelSpec(shippedText, 'models/flight-delay.yaml'), 'dev');
    const now = new Date('2026-12-02T10:00:00Z');
    const trainingRun = newTrainingRun({ requestId: 'r1', model: 'flight-delay', trigger: 'api', reason: '', requestTime: now.toISOString() }, now);
    const root = buildTrainingPipelineJob({ spec, run: trainingRun, settings, trainingDataUri: `gs://${settings.pipelineBucket}/snapshots/x/`, championModelUri: '' }).pipelineJob?.runtimeConfig?.gcsOutputDirectory;
    expect(root).toBeTruthy();
    // Vertex writes a task's output artifacts under <root>/<project number>/<job id>/<task>_<execution id>/<output>.
    const card = modelCardUris(`${String(root)}/${PROJECT_NUMBER}/flight-delay-train-r1/export-model_123/serving_model`);
    const account = `serviceAccount:${emailOf(run, 'fn:onPipelineRunEvent')}`;
    const writers = grantsIn(run, run.resources).filter((g) => g.startsWith(`${account} roles/storage.objectUser bucket:${settings.pipelineBucket}`) || g.startsWith(`${account} roles/storage.objectAdmin bucket:${settings.pipelineBucket}`));
    for (const uri of [card.markdownUri, card.htmlUri]) {
      const location = parseGcsUri(uri)!;
      expect(location.bucket).toBe(settings.pipelineBucket);
      const resourceName = `projects/_/buckets/${location.bucket}/objects/${location.object}`;
      const covered = writers.some((g) => {
        const condition = /if resource\.name\.startsWith\("([^"]+)"\)$/.exec(g);
        return condition === null || resourceName.startsWith(condition[1]!);
      });
      expect(covered, `${uri} is not writable by onPipelineRunEvent: ${writers.join(', ')}`).toBe(true);
    }
  });

  test('every function is built as the build account, which may run builds and read the uploaded source', () => {
    const build = run.ofType(TYPES.serviceAccount).find((a) => a.inputs.accountId === `${run.config.namePrefix}-build`);
    expect(build).toBeDefined();
    for (const f of run.ofType(TYPES.function)) expect(field(f.inputs, 'buildConfig', 'serviceAccount'), String(f.inputs.name)).toBe(build!.state.name);
    expect(String(build!.state.name)).toMatch(/^projects\/[^/]+\/serviceAccounts\/[^/]+@/);
    const grants = grantsIn(run, run.resources).filter((g) => g.startsWith(`serviceAccount:${String(build!.state.email)} `));
    const sourceBucket = String(run.ofType(TYPES.bucketObject)[0]?.inputs.bucket);
    expect(grants).toContain(`serviceAccount:${String(build!.state.email)} roles/cloudbuild.builds.builder project:${TEST_PROJECT}`);
    expect(grants).toContain(`serviceAccount:${String(build!.state.email)} roles/storage.objectViewer bucket:${sourceBucket}`);
  });

  // The checks above must fail for the right reason: fed the stack's resources plus one bad grant, they say what is wrong.
  describe('the checks catch a bad grant', () => {
    const withExtra = (type: string, inputs: Record<string, unknown>): RecordedResource[] => [...run.resources, { type, name: 'injected', inputs, state: inputs, id: 'injected-id' }];
    const schedulerEmail = () => emailOf(run, 'scheduler');

    test('a basic role on the project', () => {
      const problems = iamProblems(run, withExtra('gcp:projects/iAMMember:IAMMember', { project: TEST_PROJECT, role: 'roles/editor', member: `serviceAccount:${schedulerEmail()}` }));
      expect(problems).toContain('injected: role is the basic role roles/editor');
      expect(problems.some((p) => p.startsWith('not in infra/iam-bindings.ts') && p.includes('roles/editor project:'))).toBe(true);
    });

    test('a public invoker on a function', () => {
      const fn = run.ofType(TYPES.function)[0]!;
      const problems = iamProblems(run, withExtra('gcp:cloudrunv2/serviceIamMember:ServiceIamMember', { name: fn.inputs.name, role: 'roles/run.invoker', member: 'allUsers' }));
      expect(problems).toContain('injected: member grants allUsers');
    });

    test('a table role granted on a wider resource than its scope', () => {
      const row = IAM_BINDINGS.find((b) => b.scope.kind === 'bucket')!;
      const narrow = expectedGrants(run, [row])[0]!;
      const member = narrow.split(' ')[0]!;
      const resources = run.resources.filter((r) => !(r.type === 'gcp:storage/bucketIAMMember:BucketIAMMember' && r.inputs.member === member && r.inputs.role === row.role));
      const problems = iamProblems(run, [...resources, { type: 'gcp:projects/iAMMember:IAMMember', name: 'injected', inputs: { project: TEST_PROJECT, role: row.role, member }, state: {}, id: 'x' }]);
      expect(problems).toContain(`in infra/iam-bindings.ts but not created: ${narrow}`);
      expect(problems).toContain(`not in infra/iam-bindings.ts (or granted twice): ${member} ${row.role} project:${TEST_PROJECT}`);
    });
  });
});
