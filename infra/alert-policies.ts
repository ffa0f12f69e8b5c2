// The drift alerting as Cloud Monitoring resources (REST JSON form), declared once: the local
// launcher creates them in the Monitoring emulator and the Pulumi program creates the same in the
// cloud. One Pub/Sub notification channel on model-monitoring-alerts, and per model with a drift
// policy one alert policy over the drift scores checkDrift writes: a condition per distinct
// distance threshold (the features that share it), and one for PSI when the spec sets it. Every
// condition opens an incident per time series, so an incident names its model, version, feature
// and metric in its metric labels.
import type { ResolvedModelSpec } from '../control-plane/config/load-model-specs.js';
import { MAX_DRIFT_CONDITIONS } from '../control-plane/config/model-spec.js';
import { TOPICS } from '../control-plane/config/topics.js';
import { FEATURE_SCORE_METRIC } from '../control-plane/config/drift-metrics.js';

/** What a model spec's drift policy says about alerting (the caller maps its specs to this). */
export interface DriftAlertModel {
  readonly name: string;
  /** Distance threshold of every feature without its own. */
  readonly threshold: number;
  readonly thresholds: Readonly<Record<string, number>>;
  readonly psiThreshold?: number;
  /**
   * An open incident is notified again after this long (the model's retrain cooldown): a drift that
   * outlives a retrain, or whose first notification was debounced, asks again.
   */
  readonly renotifySeconds: number;
}

/** The models with a drift policy, as their alert policies need them (durations of the environment the specs are resolved for). */
export function driftAlertModels(specs: readonly Pick<ResolvedModelSpec, 'name' | 'drift' | 'durations'>[]): DriftAlertModel[] {
  return specs.flatMap((s) =>
    s.drift
      ? [{ name: s.name, threshold: s.drift.threshold, thresholds: s.drift.thresholds, ...(s.drift.psiThreshold !== undefined ? { psiThreshold: s.drift.psiThreshold } : {}), renotifySeconds: s.durations.retrainCooldown }]
      : [],
  );
}

/** Cloud Monitoring's least alignment period, what the local cloud's policies use (its checks run every few seconds). */
export const MIN_ALIGNMENT_SECONDS = 60;

export interface DriftAlertContext {
  readonly project: string;
  /**
   * The conditions' alignment period: at least the time between two drift checks, so that each
   * check's point is in the window (60 s is Cloud Monitoring's minimum; hourly checks need 3600).
   */
  readonly alignmentSeconds: number;
}

/** google.monitoring.v3.NotificationChannel, REST JSON. */
export interface NotificationChannelDeclaration {
  readonly type: 'pubsub';
  readonly displayName: string;
  readonly description: string;
  readonly labels: { readonly topic: string };
  readonly userLabels: Readonly<Record<string, string>>;
}

export const ALERT_CHANNEL_DISPLAY_NAME = 'MLOps model monitoring alerts';

export function driftNotificationChannel(project: string): NotificationChannelDeclaration {
  return {
    type: 'pubsub',
    displayName: ALERT_CHANNEL_DISPLAY_NAME,
    description: `Incidents of the models' drift alert policies, to onMonitoringAlert through Pub/Sub topic ${TOPICS.monitoringAlerts}.`,
    labels: { topic: `projects/${project}/topics/${TOPICS.monitoringAlerts}` },
    userLabels: { managed_by: 'mlops-control-plane' },
  };
}

/** google.monitoring.v3.AlertPolicy, REST JSON (without `name` and `notificationChannels`, which the creator fills). */
export interface AlertPolicyDeclaration {
  readonly displayName: string;
  readonly documentation: { readonly content: string; readonly mimeType: 'text/markdown'; readonly subject: string };
  readonly userLabels: Readonly<Record<string, string>>;
  readonly combiner: 'OR';
  readonly enabled: boolean;
  readonly conditions: readonly {
    readonly displayName: string;
    readonly conditionThreshold: {
      readonly filter: string;
      readonly aggregations: readonly { readonly alignmentPeriod: string; readonly perSeriesAligner: 'ALIGN_MAX' }[];
      readonly comparison: 'COMPARISON_GT';
      readonly thresholdValue: number;
      readonly duration: string;
      readonly trigger: { readonly count: number };
    };
  }[];
  readonly alertStrategy: { readonly autoClose: string; readonly renotifyInterval: string };
}

export function driftAlertPolicyName(model: string): string {
  return `Drift: ${model}`;
}

const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const oneOf = (values: readonly string[]) => `one_of(${values.map(quote).join(', ')})`;

export function driftAlertPolicy(model: DriftAlertModel, context: DriftAlertContext): AlertPolicyDeclaration {
  const base = `metric.type = ${quote(FEATURE_SCORE_METRIC)} AND resource.type = "global" AND metric.labels.model = ${quote(model.name)}`;
  const distance = `metric.labels.metric = ${oneOf(['jensen_shannon', 'l_infinity'])}`;
  const byThreshold = new Map<number, string[]>();
  for (const [feature, threshold] of Object.entries(model.thresholds)) {
    if (threshold === model.threshold) continue;
    byThreshold.set(threshold, [...(byThreshold.get(threshold) ?? []), feature]);
  }
  const own = [...byThreshold.values()].flat();
  const condition = (displayName: string, filter: string, thresholdValue: number) => ({
    displayName,
    conditionThreshold: {
      filter,
      aggregations: [{ alignmentPeriod: `${context.alignmentSeconds}s`, perSeriesAligner: 'ALIGN_MAX' as const }],
      comparison: 'COMPARISON_GT' as const,
      thresholdValue,
      duration: '0s',
      trigger: { count: 1 },
    },
  });
  const conditions = [
    condition(`Feature drift above ${model.threshold}`, `${base} AND ${distance}${own.length > 0 ? ` AND NOT metric.labels.feature = ${oneOf(own)}` : ''}`, model.threshold),
    ...[...byThreshold].map(([threshold, features]) => condition(`Drift of ${features.join(', ')} above ${threshold}`, `${base} AND ${distance} AND metric.labels.feature = ${oneOf(features)}`, threshold)),
    ...(model.psiThreshold !== undefined ? [condition(`PSI above ${model.psiThreshold} (retrain now)`, `${base} AND metric.labels.metric = "psi"`, model.psiThreshold)] : []),
  ];
  if (conditions.length > MAX_DRIFT_CONDITIONS) throw new Error(`model ${model.name}: ${conditions.length} drift conditions; Cloud Monitoring allows ${MAX_DRIFT_CONDITIONS} per policy`);
  return {
    displayName: driftAlertPolicyName(model.name),
    documentation: {
      subject: `Drift in ${model.name}`,
      mimeType: 'text/markdown',
      content: [
        `Serving traffic of **${model.name}** has drifted from its training baseline (checkDrift; Jensen-Shannon divergence for numeric, L-infinity distance for categorical features, PSI).`,
        'The incident goes to onMonitoringAlert, which requests a retrain (debounced by the model spec\'s `durations.retrainCooldown`).',
        `The scores: \`${FEATURE_SCORE_METRIC}\`; the checks: BigQuery \`mlops_monitoring.model_checks\`; the latest check: \`GET /v1/models/${model.name}/drift\`.`,
      ].join('\n\n'),
    },
    userLabels: { model: model.name, managed_by: 'mlops-control-plane' },
    combiner: 'OR',
    enabled: true,
    conditions,
    // Google's minimum: an incident whose series stops reporting closes after 30 minutes. The
    // renotify interval goes to the policy's notificationChannelStrategy with its channels.
    alertStrategy: { autoClose: '1800s', renotifyInterval: `${Math.max(60, Math.round(model.renotifySeconds))}s` },
  };
}
