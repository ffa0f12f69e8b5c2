// The drift alerting infra/alert-policies.ts declares: the Pub/Sub notification channel on
// model-monitoring-alerts (onMonitoringAlert's trigger), an email channel per `mlops:alertEmails`,
// and per model with a drift policy one alert policy over checkDrift's scores, notifying every
// channel and re-notifying open incidents every retrain cooldown. Monitoring's notification service
// agent publishes to the topic through roles/pubsub.publisher, which infra/iam-bindings.ts grants
// (principal monitoringNotificationAgent), not this component.
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ResolvedModelSpec } from '../../control-plane/config/load-model-specs.js';
import { type AlertPolicyDeclaration, driftAlertModels, driftAlertPolicy, driftNotificationChannel } from '../alert-policies.js';
import { FEATURE_SCORE_METRIC } from '../../control-plane/config/drift-metrics.js';
import type { StackConfig } from '../config.js';
import { childOptions } from './child-options.js';

/**
 * The conditions' alignment period in the cloud: the drift check runs hourly (driftCheckJob), and
 * each check's point must fall in the window.
 */
export const DRIFT_ALIGNMENT_SECONDS = 3600;

export interface MonitoringArgs {
  readonly config: Pick<StackConfig, 'project' | 'alertEmails'>;
  readonly specs: readonly Pick<ResolvedModelSpec, 'name' | 'drift' | 'durations'>[];
  /** Resources the channel must wait for (the topic, and the notification agent's publisher binding). */
  readonly channelDependsOn?: readonly pulumi.Input<pulumi.Resource>[];
}

/** A policy declaration as gcp.monitoring.AlertPolicy's arguments, notifying `channels`. */
export function alertPolicyArgs(project: string, policy: AlertPolicyDeclaration, channels: pulumi.Input<string>[]): gcp.monitoring.AlertPolicyArgs {
  return {
    project,
    displayName: policy.displayName,
    combiner: policy.combiner,
    enabled: policy.enabled,
    documentation: { ...policy.documentation },
    userLabels: { ...policy.userLabels },
    conditions: policy.conditions.map((c) => ({
      displayName: c.displayName,
      conditionThreshold: {
        filter: c.conditionThreshold.filter,
        aggregations: c.conditionThreshold.aggregations.map((a) => ({ ...a })),
        comparison: c.conditionThreshold.comparison,
        thresholdValue: c.conditionThreshold.thresholdValue,
        duration: c.conditionThreshold.duration,
        trigger: { ...c.conditionThreshold.trigger },
      },
    })),
    notificationChannels: channels,
    alertStrategy: {
      autoClose: policy.alertStrategy.autoClose,
      notificationChannelStrategies: [{ notificationChannelNames: channels, renotifyInterval: policy.alertStrategy.renotifyInterval }],
    },
  };
}

export class Monitoring extends pulumi.ComponentResource {
  readonly driftChannel: gcp.monitoring.NotificationChannel;
  /** By email address. */
  readonly emailChannels: Record<string, gcp.monitoring.NotificationChannel>;
  /** By model name. */
  readonly alertPolicies: Record<string, gcp.monitoring.AlertPolicy>;
  /** The drift score's descriptor, which the alert policies' filters name. */
  readonly featureScoreMetric: gcp.monitoring.MetricDescriptor;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mlops:infra:Monitoring', name, {}, opts);
    const { project } = args.config;
    const channel = driftNotificationChannel(project);
    this.driftChannel = new gcp.monitoring.NotificationChannel(
      'channel-drift-pubsub',
      { project, type: channel.type, displayName: channel.displayName, description: channel.description, labels: { ...channel.labels }, userLabels: { ...channel.userLabels } },
      childOptions(this, opts, args.channelDependsOn),
    );
    this.emailChannels = {};
    const resourceNames = new Map<string, string>();
    for (const email of args.config.alertEmails) {
      const resourceName = `channel-email-${email.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
      const taken = resourceNames.get(resourceName);
      if (taken !== undefined) throw new Error(`mlops:alertEmails: ${email} and ${taken} would share the notification channel ${resourceName}; list each address once`);
      resourceNames.set(resourceName, email);
      this.emailChannels[email] = new gcp.monitoring.NotificationChannel(
        resourceName,
        { project, type: 'email', displayName: `MLOps alerts: ${email}`, labels: { email_address: email }, userLabels: { ...channel.userLabels } },
        childOptions(this, opts),
      );
    }
    const channels = [this.driftChannel, ...Object.values(this.emailChannels)].map((c) => c.name);
    // A policy's filter must name a metric that exists: checkDrift's first write would create it an
    // hour after the deploy, so the descriptor is declared here (as checkDrift writes it).
    this.featureScoreMetric = new gcp.monitoring.MetricDescriptor(
      'metric-drift-feature-score',
      {
        project,
        type: FEATURE_SCORE_METRIC,
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        displayName: 'MLOps drift: feature score',
        description: "A feature's drift score against its model version's training baseline (checkDrift).",
        labels: [
          { key: 'model', valueType: 'STRING', description: "The model spec's name." },
          { key: 'version', valueType: 'STRING', description: 'The model version id.' },
          { key: 'feature', valueType: 'STRING', description: 'The feature (or prediction).' },
          { key: 'metric', valueType: 'STRING', description: 'jensen_shannon, l_infinity, psi or ks.' },
        ],
      },
      childOptions(this, opts),
    );
    this.alertPolicies = {};
    for (const model of driftAlertModels(args.specs)) {
      const policy = driftAlertPolicy(model, { project, alignmentSeconds: DRIFT_ALIGNMENT_SECONDS });
      this.alertPolicies[model.name] = new gcp.monitoring.AlertPolicy(`alert-drift-${model.name}`, alertPolicyArgs(project, policy, channels), childOptions(this, opts, [this.featureScoreMetric]));
    }
    this.registerOutputs({ driftChannel: this.driftChannel.id });
  }
}
