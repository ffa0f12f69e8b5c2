// Alert policies through the official AlertPolicyServiceClient (REST fallback): create, get, list,
// patch with and without an update mask, delete; Google's checks as 400s naming the field; the
// notification channels a policy names must exist; everything survives a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError, PARENT, PROJECT, startAlertingEnv, threshold, type AlertingEnv, type AlertPolicy } from './alerting-support.js';

const DRIFT = 'custom.googleapis.com/policies/drift_score';
let env: AlertingEnv;
let channel: string;

beforeAll(async () => {
  env = await startAlertingEnv();
  const [c] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'pubsub', labels: { topic: `projects/${PROJECT}/topics/alerts` } } });
  channel = c.name!;
});
afterAll(async () => {
  await env?.stop();
});

const policy = (over: AlertPolicy = {}): AlertPolicy => ({
  displayName: 'Drift too high',
  documentation: { content: 'Retrain the model.', mimeType: 'text/markdown', subject: 'Drift on ${metric.label.model}' },
  userLabels: { model: 'flight-delay' },
  conditions: [threshold(DRIFT, 0.3)],
  combiner: 'OR',
  notificationChannels: [channel],
  alertStrategy: { autoClose: { seconds: 1800 }, notificationChannelStrategy: [{ notificationChannelNames: [channel], renotifyInterval: { seconds: 3600 } }] },
  ...over,
});

describe('alertPolicies CRUD', () => {
  it('creates a policy with server-assigned names, defaults and records, and gets it back unchanged', async () => {
    const [created] = await env.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy() });
    expect(created.name).toMatch(new RegExp(`^${PARENT}/alertPolicies/\\d{15,}$`));
    const condition = created.conditions![0]!;
    expect(condition.name).toMatch(new RegExp(`^${created.name}/conditions/\\d{15,}$`));
    expect(condition.conditionThreshold).toMatchObject({
      filter: `metric.type="${DRIFT}"`,
      comparison: 'COMPARISON_GT',
      thresholdValue: 0.3,
      aggregations: [{ alignmentPeriod: { seconds: '60' }, perSeriesAligner: 'ALIGN_MAX' }],
    });
    expect(created.enabled?.value).toBe(true);
    expect(created.combiner).toBe('OR');
    expect(created.documentation).toMatchObject({ content: 'Retrain the model.', mimeType: 'text/markdown', subject: 'Drift on ${metric.label.model}' });
    expect(created.alertStrategy?.autoClose).toMatchObject({ seconds: '1800' });
    expect(created.creationRecord?.mutateTime).toEqual(created.mutationRecord?.mutateTime);
    const [got] = await env.policies.getAlertPolicy({ name: created.name! });
    expect(got).toEqual(created);
  });

  it('lists with a filter and pages, and deletes', async () => {
    const [a] = await env.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy({ displayName: 'list a', userLabels: { owner: 'list' } }) });
    const [b] = await env.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy({ displayName: 'list b', userLabels: { owner: 'list' } }) });
    const [listed] = await env.policies.listAlertPolicies({ name: PARENT, filter: 'user_labels.owner = "list"', orderBy: 'display_name' });
    expect(listed.map((p) => p.name)).toEqual([a.name, b.name]);
    const [page, , response] = await env.policies.listAlertPolicies({ name: PARENT, filter: 'user_labels.owner = "list"', pageSize: 1 }, { autoPaginate: false });
    expect(page).toHaveLength(1);
    expect(response?.nextPageToken).toBeTruthy();

    await env.policies.deleteAlertPolicy({ name: a.name! });
    expect((await callError(env.policies.getAlertPolicy({ name: a.name! }))).code).toBe(5);
    expect((await callError(env.policies.deleteAlertPolicy({ name: a.name! }))).code).toBe(5);
    const [remaining] = await env.policies.listAlertPolicies({ name: PARENT, filter: 'user_labels.owner = "list"' });
    expect(remaining.map((p) => p.name)).toEqual([b.name]);
  });

  it('patches the masked fields only, keeps condition names it is given, and replaces the policy without a mask', async () => {
    const [created] = await env.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy() });
    env.advance(5);
    const [patched] = await env.policies.updateAlertPolicy({
      alertPolicy: { name: created.name, displayName: 'Renamed', enabled: { value: false }, userLabels: { ignored: 'yes' } },
      updateMask: { paths: ['display_name', 'enabled'] },
    });
    expect(patched.displayName).toBe('Renamed');
    expect(patched.enabled?.value).toBe(false);
    expect(patched.userLabels).toEqual({ model: 'flight-delay' });
    expect(patched.conditions).toEqual(created.conditions);
    expect(patched.creationRecord).toEqual(created.creationRecord);
    expect(Number(patched.mutationRecord?.mutateTime?.seconds)).toBe(Number(created.mutationRecord?.mutateTime?.seconds) + 5);

    const kept = created.conditions![0]!;
    const [replaced] = await env.policies.updateAlertPolicy({
      alertPolicy: policy({ name: created.name, displayName: 'Two conditions', combiner: 'AND', conditions: [kept, threshold(DRIFT, 0.9)] }),
    });
    expect(replaced.conditions![0]!.name).toBe(kept.name);
    expect(replaced.conditions![1]!.name).not.toBe(kept.name);
    expect(replaced.combiner).toBe('AND');
    expect(replaced.enabled?.value).toBe(true);

    const unknownCondition = await callError(
      env.policies.updateAlertPolicy({ alertPolicy: policy({ name: created.name, conditions: [{ ...kept, name: `${created.name}/conditions/1` }] }) }),
    );
    expect(unknownCondition.message).toMatch(/alert_policy\.conditions\[0\]\.name/);
    const badMask = await callError(env.policies.updateAlertPolicy({ alertPolicy: { name: created.name }, updateMask: { paths: ['creation_record'] } }));
    expect(badMask.message).toMatch(/update_mask/);
  });
});

describe('alertPolicies validation', () => {
  const cases: [string, () => AlertPolicy, RegExp][] = [
    ['no display name', () => policy({ displayName: '' }), /alert_policy\.display_name/],
    ['no conditions', () => policy({ conditions: [] }), /alert_policy\.conditions/],
    ['seven conditions', () => policy({ conditions: Array.from({ length: 7 }, (_, i) => threshold(DRIFT, i)) }), /at most 6 conditions/],
    ['two conditions without a combiner', () => policy({ combiner: 'COMBINE_UNSPECIFIED', conditions: [threshold(DRIFT, 1), threshold(DRIFT, 2)] }), /alert_policy\.combiner/],
    ['AND_WITH_MATCHING_RESOURCE', () => policy({ combiner: 'AND_WITH_MATCHING_RESOURCE' }), /alert_policy\.combiner.*not supported/],
    ['a bad filter', () => policy({ conditions: [threshold(DRIFT, 1, {}, 'metric.labels.model = flight')] }), /alert_policy\.conditions\[0\]\.condition_threshold\.filter/],
    ['a filter without a metric type', () => policy({ conditions: [{ displayName: 'x', conditionThreshold: { filter: 'resource.type="global"', comparison: 'COMPARISON_GT' } }] }), /conditions\[0\]\.condition_threshold\.filter.*metric type/],
    ['no comparison', () => policy({ conditions: [threshold(DRIFT, 1, { comparison: 'COMPARISON_UNSPECIFIED' })] }), /conditions\[0\]\.condition_threshold\.comparison/],
    ['a 30 s alignment period', () => policy({ conditions: [threshold(DRIFT, 1, { aggregations: [{ alignmentPeriod: { seconds: 30 }, perSeriesAligner: 'ALIGN_MAX' }] })] }), /aggregations\[0\]\.alignment_period.*60 seconds/],
    ['a reducer without an aligner', () => policy({ conditions: [threshold(DRIFT, 1, { aggregations: [{ crossSeriesReducer: 'REDUCE_MEAN' }] })] }), /aggregations\[0\]\.per_series_aligner/],
    ['a 90 s duration', () => policy({ conditions: [threshold(DRIFT, 1, { duration: { seconds: 90 } })] }), /conditions\[0\]\.condition_threshold\.duration/],
    ['count and percent', () => policy({ conditions: [threshold(DRIFT, 1, { trigger: { count: 1, percent: 50 } })] }), /condition_threshold\.trigger/],
    ['a condition without a display name', () => policy({ conditions: [{ ...threshold(DRIFT, 1), displayName: '' }] }), /conditions\[0\]\.display_name/],
    ['an absence condition', () => policy({ conditions: [{ displayName: 'absent', conditionAbsent: { filter: `metric.type="${DRIFT}"`, duration: { seconds: 120 } } }] }), /conditions\[0\]\.condition_absent.*not supported|Only condition_threshold/],
    ['an unknown channel', () => policy({ notificationChannels: [`${PARENT}/notificationChannels/42`], alertStrategy: {} }), /alert_policy\.notification_channels\[0\].*does not exist/],
    ['a channel of another project', () => policy({ notificationChannels: ['projects/other/notificationChannels/42'], alertStrategy: {} }), /notification_channels\[0\]/],
    ['a strategy channel outside notificationChannels', () => policy({ notificationChannels: [] }), /notification_channel_strategy\[0\]\.notification_channel_names\[0\]/],
    ['a 5 minute auto-close', () => policy({ alertStrategy: { autoClose: { seconds: 300 } } }), /alert_strategy\.auto_close/],
    ['bad user labels', () => policy({ userLabels: { 'Has Space': 'x' } }), /alert_policy\.user_labels/],
    ['an html documentation', () => policy({ documentation: { content: 'x', mimeType: 'text/html' } }), /alert_policy\.documentation\.mime_type/],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what}`, async () => {
      const err = await callError(env.policies.createAlertPolicy({ name: PARENT, alertPolicy: body() }));
      expect(err.code).toBe(3);
      expect(err.message).toMatch(message);
    });
  }

  it('checks aggregations against the metric once its descriptor exists', async () => {
    const type = 'custom.googleapis.com/policies/labels';
    await env.metrics.createMetricDescriptor({ name: PARENT, metricDescriptor: { type, metricKind: 'GAUGE', valueType: 'STRING' } });
    const err = await callError(env.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy({ conditions: [threshold(type, 1)] }) }));
    expect(err.message).toMatch(/conditions\[0\]\.condition_threshold\.aggregations\[0\]\.per_series_aligner/);
  });

  it('refuses a channel that was deleted', async () => {
    const [c] = await env.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: 'gone@x.example' } } });
    await env.channels.deleteNotificationChannel({ name: c.name! });
    const err = await callError(env.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy({ notificationChannels: [channel, c.name!] }) }));
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/alert_policy\.notification_channels\[1\].*does not exist/);
  });
});

describe('restart', () => {
  it('keeps channels and policies on the same data directory', async () => {
    const first = await startAlertingEnv();
    const [c] = await first.channels.createNotificationChannel({ name: PARENT, notificationChannel: { type: 'email', labels: { email_address: 'keep@x.example' } } });
    const [p] = await first.policies.createAlertPolicy({ name: PARENT, alertPolicy: policy({ notificationChannels: [c.name!], alertStrategy: {} }) });
    await first.stop({ keepData: true });

    const second = await startAlertingEnv({ dataDir: first.dataDir });
    try {
      const [gotChannel] = await second.channels.getNotificationChannel({ name: c.name! });
      expect(gotChannel).toEqual(c);
      const [gotPolicy] = await second.policies.getAlertPolicy({ name: p.name! });
      expect(gotPolicy).toEqual(p);
    } finally {
      await second.stop();
    }
  });
});
