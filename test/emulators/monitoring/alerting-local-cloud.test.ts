// The launcher's wiring: in the local cloud, Monitoring learns the Pub/Sub emulator's host after it
// has started (Pub/Sub starts later) and evaluates on its own timer, so a violating point written
// through the official client becomes a 1.2 notification on the model-monitoring-alerts topic
// without anyone asking for an evaluation.
import { AlertPolicyServiceClient, MetricServiceClient, NotificationChannelServiceClient } from '@google-cloud/monitoring';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPubSubEmulatorJar } from '../../../emulators/pubsub/emulator-process.js';
import { clientEnvironment, emulatorGaxOptions } from '../../../google-clients/environment.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';

const jar = findPubSubEmulatorJar();
if (!jar) console.warn("Local-cloud alerting test skipped: Google's Pub/Sub emulator is not installed on this machine");

describe.skipIf(!jar)('alerting in the local cloud', () => {
  let cloud: TestCloud;
  let pubsub: PubSub;
  beforeAll(async () => {
    cloud = await startTestCloud({ pubsub: true, monitoringAlertEvaluationIntervalMs: 500 });
    pubsub = pubSubClient({ projectId: cloud.projectId, env: cloud.env });
  }, 60_000);
  afterAll(async () => {
    await pubsub?.close();
    await cloud?.teardown();
  });

  it('publishes a notification for a violating drift score on its evaluation timer', async () => {
    const ce = clientEnvironment(cloud.env);
    const options = emulatorGaxOptions('MONITORING_EMULATOR_HOST', ce)!;
    const channels = new NotificationChannelServiceClient(options);
    const policies = new AlertPolicyServiceClient(options);
    const metrics = new MetricServiceClient(options);
    const parent = `projects/${cloud.projectId}`;
    const TYPE = 'custom.googleapis.com/mlops/drift/feature_score';
    const [subscription] = await pubsub.topic('model-monitoring-alerts').createSubscription('alerting-local-cloud-test');
    const received: Record<string, unknown>[] = [];
    subscription.on('message', (m: Message) => {
      m.ack();
      received.push(JSON.parse(m.data.toString('utf8')) as Record<string, unknown>);
    });
    try {
      const [channel] = await channels.createNotificationChannel({
        name: parent,
        notificationChannel: { type: 'pubsub', labels: { topic: `projects/${cloud.projectId}/topics/model-monitoring-alerts` } },
      });
      await policies.createAlertPolicy({
        name: parent,
        alertPolicy: {
          displayName: 'flight-delay feature drift',
          combiner: 'OR',
          conditions: [
            {
              displayName: 'drift above 0.3',
              conditionThreshold: {
                filter: `metric.type="${TYPE}" AND metric.labels.model="flight-delay"`,
                aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MAX' }],
                comparison: 'COMPARISON_GT',
                thresholdValue: 0.3,
                duration: { seconds: 0 },
              },
            },
          ],
          notificationChannels: [channel.name!],
        },
      });
      await metrics.createTimeSeries({
        name: parent,
        timeSeries: [
          {
            metric: { type: TYPE, labels: { model: 'flight-delay', version: '1', feature: 'distance', metric: 'jensen_shannon' } },
            resource: { type: 'global', labels: {} },
            points: [{ interval: { endTime: { seconds: Math.floor(Date.now() / 1000) } }, value: { doubleValue: 0.5 } }],
          },
        ],
      });
      const deadline = Date.now() + 15_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ version: '1.2', incident: { state: 'open', policy_name: 'flight-delay feature drift', metric: { labels: { feature: 'distance' } } } });
    } finally {
      await subscription.close();
      await Promise.all([channels.close(), policies.close(), metrics.close()]);
    }
  }, 30_000);
});
