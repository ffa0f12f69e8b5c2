// Notification channels and their descriptors through the official NotificationChannelServiceClient
// (REST fallback): create, get, list (filter, order, pages), patch with and without an update mask,
// delete (refused while a policy uses the channel unless forced), and Google-style 400s and 404s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError, PARENT, PROJECT, startAlertingEnv, threshold, type AlertingEnv } from './alerting-support.js';

let env: AlertingEnv;
beforeAll(async () => {
  env = await startAlertingEnv();
});
afterAll(async () => {
  await env?.stop();
});

const TOPIC = `projects/${PROJECT}/topics/alerts`;

describe('notificationChannelDescriptors', () => {
  it('lists and gets the pubsub and email types with their labels', async () => {
    const [descriptors] = await env.channels.listNotificationChannelDescriptors({ name: PARENT });
    expect(descriptors.map((d) => d.type).sort()).toEqual(['email', 'pubsub']);
    const [pubsub] = await env.channels.getNotificationChannelDescriptor({ name: `${PARENT}/notificationChannelDescriptors/pubsub` });
    expect(pubsub.name).toBe(`${PARENT}/notificationChannelDescriptors/pubsub`);
    expect(pubsub.labels?.map((l) => l.key)).toEqual(['topic']);
    const [email] = await env.channels.getNotificationChannelDescriptor({ name: `${PARENT}/notificationChannelDescriptors/email` });
    expect(email.labels?.map((l) => l.key)).toEqual(['email_address']);
    const missing = await callError(env.channels.getNotificationChannelDescriptor({ name: `${PARENT}/notificationChannelDescriptors/carrier_pigeon` }));
    expect(missing.code).toBe(5);
  });
});

describe('notificationChannels', () => {
  it('creates a pubsub channel with a numeric id, enabled, verified, with creation and mutation records', async () => {
    const before = Date.now();
    const [channel] = await env.channels.createNotificationChannel({
      name: PARENT,
      notificationChannel: { type: 'pubsub', displayName: 'Alerts topic', labels: { topic: TOPIC }, userLabels: { team: 'mlops' } },
    });
    expect(channel.name).toMatch(new RegExp(`^${PARENT}/notificationChannels/\\d{15,}$`));
    expect(channel.enabled?.value).toBe(true);
    expect(channel.verificationStatus).toBe('VERIFIED');
    expect(channel.labels).toEqual({ topic: TOPIC });
    expect(channel.userLabels).toEqual({ team: 'mlops' });
    expect(Number(channel.creationRecord?.mutateTime?.seconds)).toBeGreaterThanOrEqual(Math.floor(before / 1000) - 1);
    expect(channel.creationRecord?.mutatedBy).toBeTruthy();
    expect(channel.mutationRecords).toHaveLength(1);

    const [got] = await env.channels.getNotificationChannel({ name: channel.name! });
    expect(got).toEqual(channel);
  });

  it('refuses channels Google would refuse, naming the field', async () => {
    const create = (notificationChannel: Record<string, unknown>) => callError(env.channels.createNotificationChannel({ name: PARENT, notificationChannel }));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ labels: { topic: TOPIC } }, /notification_channel\.type/],
      [{ type: 'carrier_pigeon' }, /notification_channel\.type.*carrier_pigeon/],
      [{ type: 'pubsub' }, /notification_channel\.labels\[topic\]/],
      [{ type: 'pubsub', labels: { topic: 'alerts' } }, /notification_channel\.labels\[topic\].*projects\/\{project\}\/topics/],
      [{ type: 'pubsub', labels: { topic: TOPIC, color: 'red' } }, /notification_channel\.labels\[color\]/],
      [{ type: 'email', labels: {} }, /notification_channel\.labels\[email_address\]/],
      [{ type: 'email', labels: { email_address: 'not-an-address' } }, /notification_channel\.labels\[email_address\]/],
      [{ type: 'email', labels: { email_address: 'a@b.example' }, userLabels: { Team: 'x' } }, /notification_channel\.user_labels\[Team\]/],
      [{ type: 'email', labels: { email_address: 'a@b.example' }, displayName: 'x'.repeat(513) }, /notification_channel\.display_name/],
    ];
    for (const [body, message] of cases) {
      const err = await create(body);
      expect(err.code, JSON.stringify(body)).toBe(3);
      expect(err.message, JSON.stringify(body)).toMatch(message);
    }
  });

  it('lists with a filter, an order and pages', async () => {
    const names: string[] = [];
    for (const [i, address] of ['c@x.example', 'a@x.example', 'b@x.example'].entries()) {
      const [c] = await env.channels.createNotificationChannel({
        name: PARENT,
        notificationChannel: { type: 'email', displayName: `mail ${address}`, labels: { email_address: address }, userLabels: { rank: String(i) } },
      });
      names.push(c.name!);
    }
    const [emails] = await env.channels.listNotificationChannels({ name: PARENT, filter: 'type = "email"', orderBy: '-display_name' });
    expect(emails.map((c) => c.labels?.email_address)).toEqual(['c@x.example', 'b@x.example', 'a@x.example']);
    const [byLabel] = await env.channels.listNotificationChannels({ name: PARENT, filter: 'user_labels.rank = "1"' });
    expect(byLabel.map((c) => c.name)).toEqual([names[1]]);

    const [page, , response] = await env.channels.listNotificationChannels({ name: PARENT, filter: 'type = "email"', pageSize: 2 }, { autoPaginate: false });
    expect(page).toHaveLength(2);
    expect(response?.nextPageToken).toBeTruthy();
    expect(response?.totalSize).toBe(3);
    const [rest] = await env.channels.listNotificationChannels({ name: PARENT, filter: 'type = "email"', pageSize: 2, pageToken: response.nextPageToken }, { autoPaginate: false });
    expect([...page, ...rest].map((c) => c.name).sort()).toEqual([...names].sort());

    const bad = await callError(env.channels.listNotificationChannels({ name: PARENT, filter: 'colour = "red"' }));
    expect(bad.code).toBe(3);
    expect(bad.message).toMatch(/filter/);
  });

  it('patches only the masked fields, appends a mutation record, and replaces everything without a mask', async () => {
    const [channel] = await env.channels.createNotificationChannel({
      name: PARENT,
      notificationChannel: { type: 'email', displayName: 'Before', description: 'keep me', labels: { email_address: 'ops@x.example' } },
    });
    const [patched] = await env.channels.updateNotificationChannel({
      notificationChannel: { name: channel.name, type: 'email', displayName: 'After', description: 'ignored', enabled: { value: false } },
      updateMask: { paths: ['display_name', 'enabled'] },
    });
    expect(patched.displayName).toBe('After');
    expect(patched.description).toBe('keep me');
    expect(patched.enabled?.value).toBe(false);
    expect(patched.labels).toEqual({ email_address: 'ops@x.example' });
    expect(patched.mutationRecords).toHaveLength(2);
    expect(patched.creationRecord).toEqual(channel.creationRecord);

    const [replaced] = await env.channels.updateNotificationChannel({
      notificationChannel: { name: channel.name, type: 'email', labels: { email_address: 'oncall@x.example' } },
    });
    expect(replaced.displayName).toBeFalsy();
    expect(replaced.description).toBeFalsy();
    expect(replaced.enabled?.value).toBe(true);
    expect(replaced.labels).toEqual({ email_address: 'oncall@x.example' });

    const badMask = await callError(
      env.channels.updateNotificationChannel({ notificationChannel: { name: channel.name, type: 'email' }, updateMask: { paths: ['verification_status'] } }),
    );
    expect(badMask.code).toBe(3);
    expect(badMask.message).toMatch(/update_mask/);
    const retype = await callError(env.channels.updateNotificationChannel({ notificationChannel: { name: channel.name, type: 'pubsub', labels: { topic: TOPIC } } }));
    expect(retype.message).toMatch(/notification_channel\.type/);
    const missing = await callError(env.channels.updateNotificationChannel({ notificationChannel: { name: `${PARENT}/notificationChannels/123`, type: 'email' } }));
    expect(missing.code).toBe(5);
  });

  it('refuses to delete a channel a policy uses unless forced, which removes it from the policy', async () => {
    const [channel] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'pubsub', labels: { topic: TOPIC } } });
    const [other] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: 'x@x.example' } } });
    const [policy] = await env.policies.createAlertPolicy({
      name: PARENT,
      alertPolicy: {
        displayName: 'uses the channel',
        conditions: [threshold('custom.googleapis.com/channels/x', 1)],
        combiner: 'OR',
        notificationChannels: [channel.name!, other.name!],
        alertStrategy: { notificationChannelStrategy: [{ notificationChannelNames: [channel.name!], renotifyInterval: { seconds: 1800 } }] },
      },
    });
    const refused = await callError(env.channels.deleteNotificationChannel({ name: channel.name! }));
    expect(refused.code).toBe(9);
    expect(refused.message).toContain(policy.name!);

    await env.channels.deleteNotificationChannel({ name: channel.name!, force: true });
    expect((await callError(env.channels.getNotificationChannel({ name: channel.name! }))).code).toBe(5);
    const [after] = await env.policies.getAlertPolicy({ name: policy.name! });
    expect(after.notificationChannels).toEqual([other.name]);
    expect(after.alertStrategy?.notificationChannelStrategy ?? []).toEqual([]);
    expect((await callError(env.channels.deleteNotificationChannel({ name: channel.name! }))).code).toBe(5);
  });
});
