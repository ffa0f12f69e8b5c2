// Alert evaluation on the emulator's clock (moved by the tests, never slept on): incidents open,
// re-notify and close, with Cloud Monitoring's notification JSON (version 1.2) published to Google's
// Pub/Sub emulator; durations, triggers, AND, disabled policies, auto-close, and a restart. The
// Pub/Sub parts are skipped, with the reason, where the Pub/Sub emulator is not installed; the rest
// uses email channels, whose deliveries are recorded.
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { findPubSubEmulatorJar, startPubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { freePort } from '../../../emulators/kit/free-port.js';
import type { NotificationPayload } from '../../../emulators/monitoring/alerting/model.js';
import { PARENT, PROJECT, startAlertingEnv, threshold, type AlertingEnv, type AlertPolicy } from './alerting-support.js';

const jar = findPubSubEmulatorJar();
if (!jar) console.warn("Pub/Sub notification tests skipped: Google's Pub/Sub emulator is not installed on this machine");

let pubsubEmulator: PubSubEmulator | undefined;
let pubsub: PubSub | undefined;
let pubsubHost: string | undefined;
let env: AlertingEnv;

beforeAll(async () => {
  if (jar) {
    pubsubEmulator = await startPubSubEmulator({ port: await freePort() });
    pubsubHost = `127.0.0.1:${pubsubEmulator.port}`;
    pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: pubsubHost, emulatorMode: true });
  }
  // The host is handed over lazily, as the launcher does (Pub/Sub starts after Monitoring there).
  env = await startAlertingEnv({ pubsubEmulatorHost: () => pubsubHost });
}, 60_000);

afterAll(async () => {
  await env?.stop();
  await pubsub?.close();
  await pubsubEmulator?.stop();
});

/** A pull subscription on a new topic, collecting the notifications published to it. */
async function topicWithInbox(project: string, name: string): Promise<{ topic: string; messages: NotificationPayload[]; waitFor(n: number): Promise<NotificationPayload[]>; close(): Promise<void> }> {
  const client = new PubSub({ projectId: project, apiEndpoint: pubsubHost!, emulatorMode: true });
  const [topic] = await client.createTopic(name);
  const [subscription] = await topic.createSubscription(`${name}-inbox`);
  const messages: NotificationPayload[] = [];
  subscription.on('message', (m: Message) => {
    m.ack();
    messages.push(JSON.parse(m.data.toString('utf8')) as NotificationPayload);
  });
  return {
    topic: `projects/${project}/topics/${name}`,
    messages,
    waitFor: async (n) => {
      const deadline = Date.now() + 10_000;
      while (messages.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // A little longer: a message too many would show up now.
      await new Promise((r) => setTimeout(r, 200));
      return [...messages];
    },
    close: async () => {
      await subscription.close();
      await client.close();
    },
  };
}

async function emailChannel(address: string): Promise<string> {
  const [c] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: address } } });
  return c.name!;
}

async function createPolicy(p: AlertPolicy): Promise<AlertPolicy> {
  const [created] = await env.policies.createAlertPolicy({ name: PARENT, alertPolicy: { combiner: 'OR', ...p } });
  return created;
}

const incident = (payload: NotificationPayload) => payload.incident as Record<string, unknown> & { metric: { labels: Record<string, string> } };

describe.skipIf(!jar)('notifications through the Pub/Sub emulator', () => {
  it('opens an incident, re-notifies it after the renotify interval, and closes it, each a 1.2 message on the topic', async () => {
    const TYPE = 'custom.googleapis.com/alerting/queue_depth';
    const inbox = await topicWithInbox(PROJECT, 'lifecycle-alerts');
    try {
      const [channel] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'pubsub', displayName: 'ops topic', labels: { topic: inbox.topic } } });
      const policy = await createPolicy({
        displayName: 'Queue too deep',
        documentation: { content: 'Drain the queue.', mimeType: 'text/markdown', subject: 'Queue alert' },
        userLabels: { team: 'ops' },
        conditions: [threshold(TYPE, 0.5)],
        notificationChannels: [channel.name!],
        alertStrategy: { autoClose: { seconds: 3600 }, notificationChannelStrategy: [{ notificationChannelNames: [channel.name!], renotifyInterval: { seconds: 1800 } }] },
      });

      await env.writeGauge(TYPE, [{ labels: { queue: 'q1' }, value: 0.9 }]);
      const opened = await env.evaluate();
      expect(opened.opened).toHaveLength(1);
      expect(opened.deliveries.map((d) => [d.event, d.status])).toEqual([['opened', 'delivered']]);
      const startedAt = Math.floor(env.clock.ms / 1000);
      const [first] = await inbox.waitFor(1);
      expect(first!.version).toBe('1.2');
      expect(first!.incident).toMatchObject({
        incident_id: opened.opened[0]!.incidentId,
        scoping_project_id: PROJECT,
        started_at: startedAt,
        ended_at: null,
        state: 'open',
        observed_value: '0.900',
        threshold_value: '0.5',
        resource: { type: 'global', labels: { project_id: PROJECT } },
        resource_type_display_name: 'Global',
        metric: { type: TYPE, displayName: TYPE, labels: { queue: 'q1' } },
        policy_name: 'Queue too deep',
        policy_user_labels: { team: 'ops' },
        documentation: { content: 'Drain the queue.', mime_type: 'text/markdown', subject: 'Queue alert' },
        condition: { name: policy.conditions![0]!.name, displayName: `${TYPE} above 0.5`, conditionThreshold: { comparison: 'COMPARISON_GT', thresholdValue: 0.5, duration: '0s' } },
        condition_name: `${TYPE} above 0.5`,
      });
      expect(Object.keys(incident(first!)).sort()).toEqual(
        [
          'incident_id', 'scoping_project_id', 'scoping_project_number', 'url', 'started_at', 'ended_at', 'state', 'summary', 'observed_value',
          'resource', 'resource_type_display_name', 'resource_id', 'resource_display_name', 'resource_name', 'metric', 'metadata',
          'policy_name', 'policy_user_labels', 'documentation', 'condition', 'condition_name', 'threshold_value',
        ].sort(),
      );
      expect(typeof incident(first!).scoping_project_number).toBe('number');
      const openNow = (await (await fetch(`${env.emulator.url}/_emulator/alerting/incidents?state=open&policy=${policy.name!}`)).json()) as { incidents: { incidentId: string }[] };
      expect(openNow.incidents.map((i) => i.incidentId)).toEqual([opened.opened[0]!.incidentId]);
      expect(incident(first!).summary).toMatch(/queue=q1.*above the threshold of 0\.500 with a value of 0\.900/);

      // Still violating, renotify interval not reached: no new message, no second incident.
      env.advance(60);
      await env.writeGauge(TYPE, [{ labels: { queue: 'q1' }, value: 0.95 }]);
      const quiet = await env.evaluate();
      expect([quiet.opened.length, quiet.renotified.length, quiet.closed.length, quiet.deliveries.length]).toEqual([0, 0, 0, 0]);

      env.advance(1800);
      await env.writeGauge(TYPE, [{ labels: { queue: 'q1' }, value: 0.8 }]);
      const again = await env.evaluate();
      expect(again.renotified.map((i) => i.incidentId)).toEqual([opened.opened[0]!.incidentId]);
      const [, second] = await inbox.waitFor(2);
      expect(incident(second!)).toMatchObject({ incident_id: opened.opened[0]!.incidentId, state: 'open', observed_value: '0.800', ended_at: null });

      env.advance(60);
      await env.writeGauge(TYPE, [{ labels: { queue: 'q1' }, value: 0.1 }]);
      const closed = await env.evaluate();
      expect(closed.closed.map((i) => [i.incidentId, i.closeReason])).toEqual([[opened.opened[0]!.incidentId, 'recovered']]);
      const messages = await inbox.waitFor(3);
      expect(messages).toHaveLength(3);
      expect(incident(messages[2]!)).toMatchObject({
        incident_id: opened.opened[0]!.incidentId,
        state: 'closed',
        started_at: startedAt,
        ended_at: Math.floor(env.clock.ms / 1000),
        observed_value: '0.100',
      });
      expect(incident(messages[2]!).summary).toMatch(/returned to normal with a value of 0\.100/);

      const recorded = await env.deliveries({ incidentId: opened.opened[0]!.incidentId });
      expect(recorded.map((d) => [d.event, d.state, d.status, d.channel])).toEqual([
        ['opened', 'open', 'delivered', channel.name],
        ['renotified', 'open', 'delivered', channel.name],
        ['closed', 'closed', 'delivered', channel.name],
      ]);
    } finally {
      await inbox.close();
    }
  });

  it("carries the control plane's drift policy end to end: one incident per violating series, with the series' labels", async () => {
    const TYPE = 'custom.googleapis.com/mlops/drift/feature_score';
    const inbox = await topicWithInbox('local-project', 'model-monitoring-alerts');
    try {
      await env.metrics.createMetricDescriptor({
        name: PARENT,
        metricDescriptor: {
          type: TYPE,
          metricKind: 'GAUGE',
          valueType: 'DOUBLE',
          displayName: 'Feature drift score',
          labels: ['model', 'version', 'feature', 'metric'].map((key) => ({ key, valueType: 'STRING' })),
        },
      });
      const [channel] = await env.channels.createNotificationChannel({
        name: PARENT,
        notificationChannel: { type: 'pubsub', displayName: 'model monitoring alerts', labels: { topic: 'projects/local-project/topics/model-monitoring-alerts' } },
      });
      await env.policies.createAlertPolicy({
        name: PARENT,
        alertPolicy: {
          displayName: 'flight-delay feature drift',
          userLabels: { model: 'flight-delay' },
          combiner: 'OR',
          conditions: [
            {
              displayName: 'flight-delay drift above 0.3',
              conditionThreshold: {
                filter: `metric.type="${TYPE}" AND metric.labels.model="flight-delay" AND metric.labels.metric=one_of("jensen_shannon","l_infinity")`,
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
      env.advance(60);
      const series = (model: string, feature: string, metric: string, value: number) => ({ labels: { model, version: '3', feature, metric }, value });
      await env.writeGauge(TYPE, [
        series('flight-delay', 'dep_delay', 'jensen_shannon', 0.42),
        series('flight-delay', 'distance', 'l_infinity', 0.1),
        series('flight-delay', 'dep_delay', 'psi', 0.9),
        series('other-model', 'dep_delay', 'jensen_shannon', 0.9),
      ]);
      const report = await env.evaluate();
      expect(report.opened.map((i) => i.metric.labels)).toEqual([{ model: 'flight-delay', version: '3', feature: 'dep_delay', metric: 'jensen_shannon' }]);
      const messages = await inbox.waitFor(1);
      expect(messages).toHaveLength(1);
      expect(incident(messages[0]!)).toMatchObject({
        state: 'open',
        policy_name: 'flight-delay feature drift',
        condition_name: 'flight-delay drift above 0.3',
        observed_value: '0.420',
        threshold_value: '0.3',
        metric: { type: TYPE, displayName: 'Feature drift score', labels: { model: 'flight-delay', version: '3', feature: 'dep_delay', metric: 'jensen_shannon' } },
      });
    } finally {
      await inbox.close();
    }
  });

  it('keeps a notification queued while Pub/Sub is unknown or unreachable, and sends it once it is there', async () => {
    const TYPE = 'custom.googleapis.com/alerting/late_pubsub';
    const inbox = await topicWithInbox(PROJECT, 'late-alerts');
    const known = pubsubHost;
    try {
      const [channel] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'pubsub', labels: { topic: inbox.topic } } });
      await createPolicy({ displayName: 'late', conditions: [threshold(TYPE, 1)], notificationChannels: [channel.name!] });
      pubsubHost = undefined;
      env.advance(60);
      await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
      const report = await env.evaluate();
      expect(report.deliveries.map((d) => [d.status, d.attempts])).toEqual([['pending', 0]]);
      expect(report.deliveries[0]!.error).toMatch(/No Pub\/Sub emulator host/);

      // Nothing listens there: the attempt fails, the delivery stays queued.
      pubsubHost = `127.0.0.1:${await freePort()}`;
      env.advance(60);
      await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
      await env.evaluate();
      const [unreachable] = await env.deliveries({ channel: channel.name! });
      expect([unreachable!.status, unreachable!.attempts]).toEqual(['pending', 1]);
      expect(unreachable!.error).toBeTruthy();

      pubsubHost = known;
      env.advance(60);
      await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
      await env.evaluate();
      const [delivered] = await env.deliveries({ channel: channel.name! });
      expect([delivered!.status, delivered!.attempts, delivered!.error]).toEqual(['delivered', 2, undefined]);
      expect(incident((await inbox.waitFor(1))[0]!).state).toBe('open');
    } finally {
      pubsubHost = known;
      await inbox.close();
    }
  });

  it('fails a delivery to a topic that does not exist, without stopping the pass', async () => {
    const TYPE = 'custom.googleapis.com/alerting/no_topic';
    const [channel] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'pubsub', labels: { topic: `projects/${PROJECT}/topics/never-created` } } });
    const mail = await emailChannel('still@x.example');
    await createPolicy({ displayName: 'no topic', conditions: [threshold(TYPE, 1)], notificationChannels: [channel.name!, mail] });
    env.advance(60);
    await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
    const report = await env.evaluate();
    expect(report.deliveries.map((d) => [d.channelType, d.status])).toEqual([
      ['pubsub', 'failed'],
      ['email', 'recorded'],
    ]);
  });
});

describe('evaluation', () => {
  it('opens only after the series violated for the whole duration; a dip starts the count again', async () => {
    const TYPE = 'custom.googleapis.com/alerting/duration';
    const mail = await emailChannel('duration@x.example');
    await createPolicy({ displayName: 'for two minutes', conditions: [threshold(TYPE, 1, { duration: { seconds: 120 } })], notificationChannels: [mail] });
    const write = (steady: number, dipping: number) => env.writeGauge(TYPE, [{ labels: { s: 'steady' }, value: steady }, { labels: { s: 'dipping' }, value: dipping }]);
    env.advance(60);
    await write(5, 5);
    expect((await env.evaluate()).opened).toEqual([]);
    env.advance(60);
    await write(5, 0);
    expect((await env.evaluate()).opened).toEqual([]);
    env.advance(60);
    await write(5, 5);
    const report = await env.evaluate();
    expect(report.opened.map((i) => i.metric.labels.s)).toEqual(['steady']);
    expect(report.deliveries.map((d) => [d.channel, d.status, d.event])).toEqual([[mail, 'recorded', 'opened']]);
  });

  it('needs trigger.count series violating, then opens one incident per violating series', async () => {
    const TYPE = 'custom.googleapis.com/alerting/trigger';
    const policy = await createPolicy({ displayName: 'two at once', conditions: [threshold(TYPE, 1, { trigger: { count: 2 } })] });
    env.advance(60);
    await env.writeGauge(TYPE, [1, 2, 3].map((i) => ({ labels: { i: String(i) }, value: i === 1 ? 5 : 0 })));
    expect((await env.evaluate()).opened).toEqual([]);
    env.advance(60);
    await env.writeGauge(TYPE, [1, 2, 3].map((i) => ({ labels: { i: String(i) }, value: i === 3 ? 0 : 5 })));
    const report = await env.evaluate();
    expect(report.opened.filter((i) => i.policy === policy.name).map((i) => i.metric.labels.i).sort()).toEqual(['1', '2']);
  });

  it('with AND, opens only when every condition is met, and closes when one stops being met', async () => {
    const A = 'custom.googleapis.com/alerting/and_a';
    const B = 'custom.googleapis.com/alerting/and_b';
    const policy = await createPolicy({ displayName: 'both', combiner: 'AND', conditions: [threshold(A, 1), threshold(B, 1)] });
    const mine = <T extends { policy: string }>(list: T[]) => list.filter((i) => i.policy === policy.name);
    env.advance(60);
    await env.writeGauge(A, [{ labels: {}, value: 5 }]);
    await env.writeGauge(B, [{ labels: {}, value: 0 }]);
    expect(mine((await env.evaluate()).opened)).toEqual([]);
    env.advance(60);
    await env.writeGauge(A, [{ labels: {}, value: 5 }]);
    await env.writeGauge(B, [{ labels: {}, value: 5 }]);
    const both = await env.evaluate();
    expect(mine(both.opened).map((i) => i.metric.type).sort()).toEqual([A, B]);
    env.advance(60);
    await env.writeGauge(A, [{ labels: {}, value: 5 }]);
    await env.writeGauge(B, [{ labels: {}, value: 0 }]);
    const closed = await env.evaluate();
    expect(mine(closed.closed).map((i) => [i.metric.type, i.closeReason]).sort()).toEqual([
      [A, 'policy-not-met'],
      [B, 'recovered'],
    ]);
  });

  it('does nothing for a disabled policy', async () => {
    const TYPE = 'custom.googleapis.com/alerting/disabled';
    const mail = await emailChannel('disabled@x.example');
    const policy = await createPolicy({ displayName: 'off', enabled: { value: false }, conditions: [threshold(TYPE, 1)], notificationChannels: [mail] });
    env.advance(60);
    await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
    const report = await env.evaluate();
    expect(report.opened.filter((i) => i.policy === policy.name)).toEqual([]);
    expect(await env.deliveries({ channel: mail })).toEqual([]);
  });

  it('keeps an incident open while data is missing, and auto-closes it after autoClose', async () => {
    const TYPE = 'custom.googleapis.com/alerting/auto_close';
    const mail = await emailChannel('autoclose@x.example');
    const policy = await createPolicy({ displayName: 'auto close', conditions: [threshold(TYPE, 1)], notificationChannels: [mail], alertStrategy: { autoClose: { seconds: 1800 } } });
    env.advance(60);
    await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
    const [opened] = (await env.evaluate()).opened;
    env.advance(1200);
    expect((await env.evaluate()).closed.filter((i) => i.policy === policy.name)).toEqual([]);
    env.advance(600);
    const closed = (await env.evaluate()).closed.filter((i) => i.policy === policy.name);
    expect(closed.map((i) => [i.incidentId, i.closeReason])).toEqual([[opened!.incidentId, 'auto-closed']]);
    const delivered = await env.deliveries({ incidentId: opened!.incidentId });
    expect(delivered.map((d) => d.event)).toEqual(['opened', 'closed']);
    expect((delivered[1]!.payload.incident as { summary: string }).summary).toMatch(/closed automatically/);
  });

  it('closes the open incidents of a condition that is changed, notifying them as cancelled', async () => {
    const TYPE = 'custom.googleapis.com/alerting/changed';
    const mail = await emailChannel('changed@x.example');
    const policy = await createPolicy({ displayName: 'changed', conditions: [threshold(TYPE, 1)], notificationChannels: [mail] });
    env.advance(60);
    await env.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
    const [opened] = (await env.evaluate()).opened;
    // Re-applying the same declaration (conditions without names) changes nothing: the incident stays open.
    const [reapplied] = await env.policies.updateAlertPolicy({
      alertPolicy: { name: policy.name, displayName: 'changed', combiner: 'OR', conditions: [threshold(TYPE, 1)], notificationChannels: [mail] },
    });
    expect(reapplied.conditions!.map((c) => c.name)).toEqual(policy.conditions!.map((c) => c.name));
    expect((await env.deliveries({ incidentId: opened!.incidentId })).map((d) => d.event)).toEqual(['opened']);
    await env.policies.updateAlertPolicy({ alertPolicy: { name: policy.name, conditions: [threshold(TYPE, 2)] }, updateMask: { paths: ['conditions'] } });
    const delivered = await env.deliveries({ incidentId: opened!.incidentId });
    expect(delivered.map((d) => [d.event, d.state])).toEqual([
      ['opened', 'open'],
      ['closed', 'closed'],
    ]);
    expect((delivered[1]!.payload.incident as { observed_value: string }).observed_value).toMatch(/cancelled because the alert policy condition was deleted or modified/);
  });
});

describe('restart', () => {
  it('keeps incidents and deliveries: a restarted emulator closes the incident it opened before', async () => {
    const TYPE = 'custom.googleapis.com/alerting/restart';
    const first = await startAlertingEnv({ clock: { ms: env.clock.ms } });
    const [c] = await first.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: 'restart@x.example' } } });
    await first.policies.createAlertPolicy({ name: PARENT, alertPolicy: { displayName: 'restart', combiner: 'OR', conditions: [threshold(TYPE, 1)], notificationChannels: [c.name!] } });
    await first.writeGauge(TYPE, [{ labels: {}, value: 5 }]);
    const [opened] = (await first.evaluate()).opened;
    await first.stop({ keepData: true });

    const second = await startAlertingEnv({ dataDir: first.dataDir, clock: first.clock });
    try {
      second.advance(60);
      await second.writeGauge(TYPE, [{ labels: {}, value: 0 }]);
      const report = await second.evaluate();
      expect(report.opened).toEqual([]);
      expect(report.closed.map((i) => i.incidentId)).toEqual([opened!.incidentId]);
      expect((await second.deliveries({ incidentId: opened!.incidentId })).map((d) => d.event)).toEqual(['opened', 'closed']);
    } finally {
      await second.stop();
    }
  });
});
