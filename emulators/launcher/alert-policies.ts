// Create (or bring up to date) the declared drift alerting through the official Monitoring clients,
// as the Pulumi program does in the cloud: the Pub/Sub notification channel (found by its display
// name and topic, else created) and one alert policy per model (found by display name: patched to
// the declaration, else created) pointing at it.
import type { AlertPolicyServiceClient, NotificationChannelServiceClient, protos } from '@google-cloud/monitoring';
import type { AlertPolicyDeclaration, NotificationChannelDeclaration } from '../../infra/alert-policies.js';

type AlertPolicy = protos.google.monitoring.v3.IAlertPolicy;

/** "90s" → google.protobuf.Duration. */
function duration(text: string): { seconds: number } {
  const match = /^(\d+)s$/.exec(text);
  if (!match) throw new Error(`not a duration in whole seconds: ${JSON.stringify(text)}`);
  return { seconds: Number(match[1]) };
}

/** The REST JSON declaration as the client's message. */
export function policyMessage(policy: AlertPolicyDeclaration, channels: readonly string[]): AlertPolicy {
  return {
    displayName: policy.displayName,
    documentation: { ...policy.documentation },
    userLabels: { ...policy.userLabels },
    combiner: policy.combiner,
    enabled: { value: policy.enabled },
    notificationChannels: [...channels],
    conditions: policy.conditions.map((c) => ({
      displayName: c.displayName,
      conditionThreshold: {
        filter: c.conditionThreshold.filter,
        aggregations: c.conditionThreshold.aggregations.map((a) => ({ alignmentPeriod: duration(a.alignmentPeriod), perSeriesAligner: a.perSeriesAligner })),
        comparison: c.conditionThreshold.comparison,
        thresholdValue: c.conditionThreshold.thresholdValue,
        duration: duration(c.conditionThreshold.duration),
        trigger: { count: c.conditionThreshold.trigger.count },
      },
    })),
    alertStrategy: {
      autoClose: duration(policy.alertStrategy.autoClose),
      notificationChannelStrategy: [{ notificationChannelNames: [...channels], renotifyInterval: duration(policy.alertStrategy.renotifyInterval) }],
    },
  };
}

/**
 * The declaration as an update of `existing`: a condition keeps its name where one of the same
 * display name exists (Google gives an unnamed condition a new id, which would cancel its open
 * incidents).
 */
function asUpdate(message: AlertPolicy, existing: AlertPolicy): AlertPolicy {
  const names = new Map((existing.conditions ?? []).map((c) => [c.displayName, c.name]));
  return {
    ...message,
    name: existing.name ?? null,
    conditions: (message.conditions ?? []).map((c) => {
      const name = names.get(c.displayName);
      return name ? { ...c, name } : c;
    }),
  };
}

export async function applyDriftAlerting(
  clients: { channels: NotificationChannelServiceClient; policies: AlertPolicyServiceClient },
  project: string,
  channel: NotificationChannelDeclaration,
  policies: readonly AlertPolicyDeclaration[],
): Promise<{ channel: string; policies: string[] }> {
  const parent = `projects/${project}`;
  const [existingChannels] = await clients.channels.listNotificationChannels({ name: parent });
  let channelName = existingChannels.find((c) => c.displayName === channel.displayName && c.type === channel.type && c.labels?.topic === channel.labels.topic)?.name ?? undefined;
  if (!channelName) {
    const [created] = await clients.channels.createNotificationChannel({
      name: parent,
      notificationChannel: { type: channel.type, displayName: channel.displayName, description: channel.description, labels: { ...channel.labels }, userLabels: { ...channel.userLabels } },
    });
    channelName = created.name!;
  }
  const [existingPolicies] = await clients.policies.listAlertPolicies({ name: parent });
  const names: string[] = [];
  for (const policy of policies) {
    const message = policyMessage(policy, [channelName]);
    const found = existingPolicies.find((p) => p.displayName === policy.displayName);
    if (found?.name) {
      const [updated] = await clients.policies.updateAlertPolicy({ alertPolicy: asUpdate(message, found) });
      names.push(updated.name!);
    } else {
      const [created] = await clients.policies.createAlertPolicy({ name: parent, alertPolicy: message });
      names.push(created.name!);
    }
  }
  return { channel: channelName, policies: names };
}
