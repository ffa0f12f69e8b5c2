// Every IAM role the stack grants, in one table: the Pulumi program applies exactly these bindings
// and the tests read the same table. Each role sits on the narrowest resource that works (a
// bucket, dataset, topic, subscription, function or service account); project scope only where
// Google has no narrower resource for the permission, and the `why` says so. No basic roles.
import { AUDIT_TABLE, MODEL_CHECKS_TABLE } from '../control-plane/config/bigquery-tables.js';
import { TOPICS } from '../control-plane/config/topics.js';
import { FUNCTIONS } from './functions.js';
import { PUBSUB_TOPOLOGY } from './pubsub-topology.js';

/** A service account the stack creates: one per function (`fn:<name>`), one for pipelines, one for Scheduler, one for Cloud Build. */
export type AccountPrincipal = `fn:${string}` | 'pipelines' | 'scheduler' | 'build';
/** Google-managed service agents of the project (`service-<projectNumber>@gcp-sa-….iam.gserviceaccount.com`). */
export type ServiceAgent = 'pubsubServiceAgent' | 'monitoringNotificationAgent';
/**
 * People: every approver of the stack (`mlops:approvers`) and of each model spec (resolved for the
 * stack's environment), one `user:<email>` member each, deduplicated case-insensitively (approverEmails).
 */
export type PeoplePrincipal = 'approvers';
export type Principal = AccountPrincipal | ServiceAgent | PeoplePrincipal;

/**
 * The stack's buckets. Training snapshots live in the pipelines bucket under `snapshots/` (where
 * control-plane/retraining/snapshot.ts writes them, next to the pipeline root), with a lifecycle
 * rule on that prefix: there is no separate snapshots bucket.
 */
export type BucketKey = 'state' | 'pipelines' | 'functionSources';

export type Scope =
  | { kind: 'project' }
  /**
   * A bucket; with `objectPrefix`, only its objects whose names start with it (an IAM condition on
   * `resource.name`: the buckets have uniform bucket-level access, which conditions require).
   */
  | { kind: 'bucket'; bucket: BucketKey; objectPrefix?: string }
  | { kind: 'dataset'; dataset: string }
  /** Every dataset holding a model spec's request-response log or actuals table (which datasets follows from the specs). */
  | { kind: 'modelDatasets' }
  | { kind: 'topic'; topic: string }
  | { kind: 'subscription'; subscription: string }
  | { kind: 'function'; function: string }
  | { kind: 'serviceAccount'; account: AccountPrincipal };

export interface IamBinding {
  readonly principal: Principal;
  readonly role: string;
  readonly scope: Scope;
  readonly why: string;
}

export const fn = (name: string): AccountPrincipal => `fn:${name}`;

const bucket = (b: BucketKey, objectPrefix?: string): Scope => ({ kind: 'bucket', bucket: b, ...(objectPrefix === undefined ? {} : { objectPrefix }) });

/** The IAM condition expression limiting a grant on `bucketName` to objects under `prefix`. */
export function objectPrefixCondition(bucketName: string, prefix: string): string {
  return `resource.name.startsWith("projects/_/buckets/${bucketName}/objects/${prefix}")`;
}
const dataset = (d: string): Scope => ({ kind: 'dataset', dataset: d });
const topic = (t: string): Scope => ({ kind: 'topic', topic: t });
const PROJECT: Scope = { kind: 'project' };

/** Project-scoped roles: Google grants these permissions on no narrower resource. */
const WHY_JOB_USER = 'bigquery.jobs.create exists only on the project (query jobs are project resources; the data itself is granted per dataset)';
const WHY_AIPLATFORM = 'Vertex AI has no per-resource IAM for models, endpoints, pipeline and custom jobs: aiplatform.* permissions are granted on the project only';
const WHY_METRIC_WRITER = 'Cloud Monitoring time series are written to the project (workspace); there is no narrower resource';
const WHY_BUILDER = 'Cloud Build builds are project resources (builds run in the project): cloudbuild.builds.* is granted on the project only; the role also carries the log and Artifact Registry writes a function build needs';
const WHY_MONITORING_VIEWER = "time series are read from the project's Cloud Monitoring; there is no narrower resource";

/** The functions that receive Pub/Sub pushes, with their subscription (from the topology). */
const PUSH_SUBSCRIPTIONS = PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.filter((s) => s.pushToFunction !== undefined).map((s) => ({ topic: t.name, subscription: s.name, function: s.pushToFunction! })));
const DEAD_LETTERING = PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.filter((s) => s.deadLetter !== undefined).map((s) => ({ subscription: s.name, deadLetterTopic: s.deadLetter!.topic })));

/** The decisions every deciding function records: the audit table and the deployment-events topic (control-plane/audit/decision-log.ts). */
function auditWriter(name: string): IamBinding[] {
  return [
    { principal: fn(name), role: 'roles/bigquery.dataEditor', scope: dataset(AUDIT_TABLE.datasetId), why: 'appends decisions to the audit table (and creates it when missing)' },
    { principal: fn(name), role: 'roles/pubsub.publisher', scope: topic(TOPICS.deploymentEvents), why: 'announces each decision on deployment-events' },
  ];
}

/** A reconcile pass (control-plane/rollouts/reconcile.ts): serving metrics in and out, logged predictions and actuals, decisions recorded. */
function reconcilePass(name: string, when: string): IamBinding[] {
  return [
    { principal: fn(name), role: 'roles/monitoring.viewer', scope: PROJECT, why: `reads Vertex's serving metrics (${when}); ${WHY_MONITORING_VIEWER}` },
    { principal: fn(name), role: 'roles/monitoring.metricWriter', scope: PROJECT, why: `writes the rollout analysis's measurements (${when}); ${WHY_METRIC_WRITER}` },
    { principal: fn(name), role: 'roles/bigquery.dataViewer', scope: { kind: 'modelDatasets' }, why: `reads the request-response logs and the actuals the versions are compared on (${when})` },
    ...auditWriter(name),
  ];
}

function stateUser(name: string, what: string): IamBinding {
  return { principal: fn(name), role: 'roles/storage.objectUser', scope: bucket('state'), why: what };
}

export const IAM_BINDINGS: readonly IamBinding[] = [
  // mlopsApi: the HTTP API.
  stateUser('mlopsApi', 'reads and writes training-run, tuning-run, rollout and approval records'),
  { principal: fn('mlopsApi'), role: 'roles/pubsub.publisher', scope: topic(TOPICS.retrainingRequests), why: 'POST trainingRuns publishes a retraining request' },
  { principal: fn('mlopsApi'), role: 'roles/pubsub.publisher', scope: topic(TOPICS.tuningRequests), why: 'POST tuningRuns publishes a tuning request' },
  { principal: fn('mlopsApi'), role: 'roles/aiplatform.user', scope: PROJECT, why: `reads models, endpoints and pipeline jobs, submits custom jobs (they run as Vertex's own agent: no actAs), reads tuning jobs' trials, starts and moves rollouts; ${WHY_AIPLATFORM}` },
  { principal: fn('mlopsApi'), role: 'roles/storage.objectViewer', scope: bucket('pipelines'), why: "GET tuningRuns reads a finished tuning run's results" },
  { principal: fn('mlopsApi'), role: 'roles/bigquery.jobUser', scope: PROJECT, why: `queries the latest drift check and a rollout's logs; ${WHY_JOB_USER}` },
  { principal: fn('mlopsApi'), role: 'roles/bigquery.dataViewer', scope: dataset(MODEL_CHECKS_TABLE.datasetId), why: 'GET /v1/models/{model}/drift reads model_checks' },
  // The rollout commands (approve, promote, abort, retry) run one reconcile pass at once: the same reads and records as reconcileRollouts.
  ...reconcilePass('mlopsApi', 'a rollout command runs one reconcile pass at once'),

  // submitTrainingRun: BigQuery snapshot, then the training PipelineJob.
  stateUser('submitTrainingRun', 'records the training run and its lease'),
  { principal: fn('submitTrainingRun'), role: 'roles/storage.objectUser', scope: bucket('pipelines'), why: 'EXPORT DATA writes the snapshot under snapshots/ with the caller\'s identity' },
  { principal: fn('submitTrainingRun'), role: 'roles/bigquery.jobUser', scope: PROJECT, why: `runs the snapshot's EXPORT DATA query; ${WHY_JOB_USER}` },
  { principal: fn('submitTrainingRun'), role: 'roles/aiplatform.user', scope: PROJECT, why: `creates the PipelineJob; ${WHY_AIPLATFORM}` },
  { principal: fn('submitTrainingRun'), role: 'roles/iam.serviceAccountUser', scope: { kind: 'serviceAccount', account: 'pipelines' }, why: 'the PipelineJob runs as the pipelines service account (actAs)' },

  // submitTuningRun: the tuning run's BigQuery snapshot, then the tuning PipelineJob.
  stateUser('submitTuningRun', 'records the tuning run\'s snapshot and PipelineJob'),
  { principal: fn('submitTuningRun'), role: 'roles/storage.objectUser', scope: bucket('pipelines'), why: 'EXPORT DATA writes the snapshot under snapshots/ with the caller\'s identity' },
  { principal: fn('submitTuningRun'), role: 'roles/bigquery.jobUser', scope: PROJECT, why: `runs the snapshot's EXPORT DATA query; ${WHY_JOB_USER}` },
  { principal: fn('submitTuningRun'), role: 'roles/aiplatform.user', scope: PROJECT, why: `creates the tuning PipelineJob; ${WHY_AIPLATFORM}` },
  { principal: fn('submitTuningRun'), role: 'roles/iam.serviceAccountUser', scope: { kind: 'serviceAccount', account: 'pipelines' }, why: 'the tuning PipelineJob runs as the pipelines service account (actAs)' },

  // onPipelineRunEvent: decision, registration, the challenger's rollout.
  stateUser('onPipelineRunEvent', 'completes the training and tuning run records and starts the rollout record'),
  { principal: fn('onPipelineRunEvent'), role: 'roles/storage.objectViewer', scope: bucket('pipelines'), why: "reads the run's evaluation outputs and the tuning summary's parameter importance from the pipeline root" },
  { principal: fn('onPipelineRunEvent'), role: 'roles/storage.objectUser', scope: bucket('pipelines', 'tuning-runs/'), why: "writes (and rewrites, on a redelivery) a tuning run's results and plots under tuning-runs/" },
  { principal: fn('onPipelineRunEvent'), role: 'roles/storage.objectUser', scope: bucket('pipelines', 'pipeline-root/'), why: "writes (and rewrites, on a redelivery) an approved version's model card beside its artifacts (<artifactUri>/model_card.md|html) under pipeline-root/; with tuning-runs/, the only objects of the bucket it may write" },
  { principal: fn('onPipelineRunEvent'), role: 'roles/pubsub.publisher', scope: topic(TOPICS.retrainingRequests), why: "a tuning run's best trial is trained: its retraining request" },
  { principal: fn('onPipelineRunEvent'), role: 'roles/bigquery.dataEditor', scope: dataset(AUDIT_TABLE.datasetId), why: "appends a tuning run's outcome to the audit table (and creates it when missing)" },
  { principal: fn('onPipelineRunEvent'), role: 'roles/aiplatform.user', scope: PROJECT, why: `registers model versions and deploys to endpoints; ${WHY_AIPLATFORM}` },
  { principal: fn('onPipelineRunEvent'), role: 'roles/pubsub.publisher', scope: topic(TOPICS.deploymentEvents), why: 'announces the champion/challenger decision on deployment-events' },

  // reconcileRollouts: canary steps judged on serving metrics and logged predictions.
  stateUser('reconcileRollouts', 'reads and advances rollout records'),
  { principal: fn('reconcileRollouts'), role: 'roles/aiplatform.user', scope: PROJECT, why: `changes endpoint traffic splits and model aliases, undeploys; ${WHY_AIPLATFORM}` },
  { principal: fn('reconcileRollouts'), role: 'roles/bigquery.jobUser', scope: PROJECT, why: `queries logged predictions and actuals; ${WHY_JOB_USER}` },
  ...reconcilePass('reconcileRollouts', 'each analysis step'),

  // checkDrift: drift, performance and age of each model.
  stateUser('checkDrift', 'reads deployments and records check state'),
  { principal: fn('checkDrift'), role: 'roles/storage.objectViewer', scope: bucket('pipelines'), why: "reads each version's training baseline from the pipeline root" },
  { principal: fn('checkDrift'), role: 'roles/aiplatform.viewer', scope: PROJECT, why: `only reads models and endpoints; ${WHY_AIPLATFORM}` },
  { principal: fn('checkDrift'), role: 'roles/monitoring.metricWriter', scope: PROJECT, why: `writes the drift scores the alert policies watch; ${WHY_METRIC_WRITER}` },
  { principal: fn('checkDrift'), role: 'roles/bigquery.jobUser', scope: PROJECT, why: `queries serving logs and actuals; ${WHY_JOB_USER}` },
  { principal: fn('checkDrift'), role: 'roles/bigquery.dataViewer', scope: { kind: 'modelDatasets' }, why: 'reads the request-response logs and the actuals' },
  { principal: fn('checkDrift'), role: 'roles/bigquery.dataEditor', scope: dataset(MODEL_CHECKS_TABLE.datasetId), why: 'appends check results to model_checks (and creates it when missing)' },
  { principal: fn('checkDrift'), role: 'roles/pubsub.publisher', scope: topic(TOPICS.retrainingRequests), why: 'a model below its performance bound or past its age is retrained' },
  ...auditWriter('checkDrift'),

  // onMonitoringAlert: a drift incident becomes a debounced retraining request.
  stateUser('onMonitoringAlert', 'records the debounce (retrain cooldown) per model'),
  { principal: fn('onMonitoringAlert'), role: 'roles/pubsub.publisher', scope: topic(TOPICS.retrainingRequests), why: 'requests the retrain' },
  ...auditWriter('onMonitoringAlert'),

  // Pushes: each event function's own account is the identity its subscription pushes as (OIDC).
  // Event functions park a message that can never succeed on the dead-letter topic themselves (functions/pubsub-function.ts).
  ...PUSH_SUBSCRIPTIONS.flatMap((p): IamBinding[] => [
    { principal: fn(p.function), role: 'roles/pubsub.publisher', scope: topic(TOPICS.deadLetter), why: 'parks an unreadable (poison) message with the reason, then acknowledges it' },
    { principal: fn(p.function), role: 'roles/run.invoker', scope: { kind: 'function', function: p.function }, why: `${p.subscription} pushes to ${p.function} with an OIDC token of this account` },
    { principal: 'pubsubServiceAgent', role: 'roles/iam.serviceAccountTokenCreator', scope: { kind: 'serviceAccount', account: fn(p.function) }, why: `mints the OIDC token ${p.subscription} pushes with (needed in projects created before April 2021)` },
  ]),

  // The pipelines' account: training, evaluation, the exit handler.
  { principal: 'pipelines', role: 'roles/storage.objectUser', scope: bucket('pipelines'), why: 'reads snapshots, writes the pipeline root (artifacts, metrics, baselines)' },
  { principal: 'pipelines', role: 'roles/aiplatform.user', scope: PROJECT, why: `pipeline tasks run custom jobs and read models; ${WHY_AIPLATFORM}` },
  { principal: 'pipelines', role: 'roles/iam.serviceAccountUser', scope: { kind: 'serviceAccount', account: 'pipelines' }, why: "the pipeline's custom jobs run as this same account (actAs itself)" },
  { principal: 'pipelines', role: 'roles/pubsub.publisher', scope: topic(TOPICS.pipelineRunEvents), why: "the exit handler publishes the run's end" },

  // Cloud Scheduler's account: OIDC calls to the scheduled HTTP functions.
  ...FUNCTIONS.filter((f) => f.signatureType === 'http').map((f): IamBinding => ({ principal: 'scheduler', role: 'roles/run.invoker', scope: { kind: 'function', function: f.name }, why: `Scheduler jobs call ${f.name} with an OIDC token of this account` })),

  // Pub/Sub's service agent forwards undeliverable messages to the dead-letter topic.
  ...[...new Set(DEAD_LETTERING.map((d) => d.deadLetterTopic))].map((t): IamBinding => ({ principal: 'pubsubServiceAgent', role: 'roles/pubsub.publisher', scope: topic(t), why: 'forwards messages that exhausted their delivery attempts' })),
  ...DEAD_LETTERING.map((d): IamBinding => ({ principal: 'pubsubServiceAgent', role: 'roles/pubsub.subscriber', scope: { kind: 'subscription', subscription: d.subscription }, why: `acknowledges the messages of ${d.subscription} it forwards to ${d.deadLetterTopic}` })),

  // Cloud Build's account: builds every function's container from the uploaded source (buildConfig.serviceAccount),
  // instead of the Compute Engine default account (absent or role-less where iam.automaticIamGrantsForDefaultServiceAccounts is enforced).
  { principal: 'build', role: 'roles/cloudbuild.builds.builder', scope: PROJECT, why: `runs the functions' builds, writes their logs and pushes their images to Artifact Registry; ${WHY_BUILDER}` },
  { principal: 'build', role: 'roles/storage.objectViewer', scope: bucket('functionSources'), why: 'reads the uploaded function source the builds start from' },

  // People: Cloud Run refuses a caller without run.invoker before mlopsApi checks its ID token and approver list.
  { principal: 'approvers', role: 'roles/run.invoker', scope: { kind: 'function', function: 'mlopsApi' }, why: "each approver (user:<email>) calls mlopsApi to approve, promote or abort rollouts; mlopsApi itself decides what each may do" },

  // Cloud Monitoring's notification agent delivers incidents to the Pub/Sub channel's topic.
  { principal: 'monitoringNotificationAgent', role: 'roles/pubsub.publisher', scope: topic(TOPICS.monitoringAlerts), why: 'the drift alert policies notify through a Pub/Sub channel on this topic' },
];

/** The people of the `approvers` principal: the stack's and every spec's approvers, lower-cased and deduplicated. */
export function approverEmails(stackApprovers: readonly string[], specs: readonly { readonly approvals: { readonly approvers: readonly string[] } }[]): string[] {
  return [...new Set([...stackApprovers, ...specs.flatMap((s) => s.approvals.approvers)].map((e) => e.trim().toLowerCase()))].sort();
}

/**
 * The rows a push subscription to `pushedFunction` needs in place before its first push: its push
 * identity (the function's own account) may invoke the function, and Pub/Sub's service agent may
 * mint that identity's OIDC token. Without them early pushes get 403 and end up dead-lettered.
 */
export function isPushDeliveryGrant(binding: IamBinding, pushedFunction: string): boolean {
  const identity = fn(pushedFunction);
  return (
    (binding.principal === identity && binding.role === 'roles/run.invoker' && binding.scope.kind === 'function' && binding.scope.function === pushedFunction) ||
    (binding.principal === 'pubsubServiceAgent' && binding.role === 'roles/iam.serviceAccountTokenCreator' && binding.scope.kind === 'serviceAccount' && binding.scope.account === identity)
  );
}

/** Basic roles, never granted. */
export const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'] as const;

/** The principals the table lets invoke a function (roles/run.invoker on it). */
export function invokersOf(functionName: string): Principal[] {
  return IAM_BINDINGS.filter((b) => b.scope.kind === 'function' && b.scope.function === functionName && b.role === 'roles/run.invoker').map((b) => b.principal);
}
