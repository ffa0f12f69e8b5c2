// The drift alerting declaration (infra/alert-policies.ts) and its application through the official
// Monitoring clients (the launcher does what Pulumi does): one condition per distinct threshold with
// the features that share it, the default excluding the others, PSI when the spec sets it; the
// conditions open incidents for exactly the series beyond their own thresholds; applying twice
// updates instead of duplicating.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_SCORE_METRIC } from '../../../control-plane/config/drift-metrics.js';
import { applyDriftAlerting } from '../../../emulators/launcher/alert-policies.js';
import { driftAlertPolicy, driftNotificationChannel, MIN_ALIGNMENT_SECONDS } from '../../../infra/alert-policies.js';
import type { AlertingEnv } from '../monitoring/alerting-support.js';
import { PROJECT, startAlertingEnv } from '../monitoring/alerting-support.js';

const model = { name: 'flight-delay', threshold: 0.3, thresholds: { origin: 0.1, destination: 0.1, distance: 0.3 }, psiThreshold: 0.25, renotifySeconds: 300 };

describe('driftAlertPolicy', () => {
  it('groups features by threshold, excludes them from the default condition, and adds PSI', () => {
    const policy = driftAlertPolicy(model, { project: PROJECT, alignmentSeconds: 3600 });
    expect(policy.conditions.map((c) => [c.displayName, c.conditionThreshold.thresholdValue])).toEqual([
      ['Feature drift above 0.3', 0.3],
      ['Drift of origin, destination above 0.1', 0.1],
      ['PSI above 0.25 (retrain now)', 0.25],
    ]);
    // distance has the default threshold: it stays in the default condition.
    expect(policy.conditions[0]!.conditionThreshold.filter).toContain('AND NOT metric.labels.feature = one_of("origin", "destination")');
    expect(policy.conditions[1]!.conditionThreshold.filter).toContain('metric.labels.feature = one_of("origin", "destination")');
    expect(policy.conditions[2]!.conditionThreshold.filter).toContain('metric.labels.metric = "psi"');
    for (const c of policy.conditions) {
      expect(c.conditionThreshold.filter).toContain(`metric.type = "${FEATURE_SCORE_METRIC}"`);
      expect(c.conditionThreshold.filter).toContain('metric.labels.model = "flight-delay"');
      expect(c.conditionThreshold.aggregations).toEqual([{ alignmentPeriod: '3600s', perSeriesAligner: 'ALIGN_MAX' }]);
    }
    expect(policy.userLabels.model).toBe('flight-delay');
  });

  it('refuses more conditions than Cloud Monitoring allows', () => {
    const thresholds = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((f, i) => [f, 0.1 + i / 100]));
    expect(() => driftAlertPolicy({ name: 'm', threshold: 0.3, thresholds, renotifySeconds: 300 }, { project: PROJECT, alignmentSeconds: 60 })).toThrow(/allows 6/);
  });
});

describe('applyDriftAlerting on the Monitoring emulator', () => {
  let env: AlertingEnv;
  beforeAll(async () => {
    env = await startAlertingEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('creates the channel and the policy once, and their incidents follow each feature\'s own threshold', async () => {
    const policy = driftAlertPolicy(model, { project: PROJECT, alignmentSeconds: MIN_ALIGNMENT_SECONDS });
    const first = await applyDriftAlerting({ channels: env.channels, policies: env.policies }, PROJECT, driftNotificationChannel(PROJECT), [policy]);
    const second = await applyDriftAlerting({ channels: env.channels, policies: env.policies }, PROJECT, driftNotificationChannel(PROJECT), [policy]);
    expect(second).toEqual(first);
    const [policies] = await env.policies.listAlertPolicies({ name: `projects/${PROJECT}` });
    expect(policies.filter((p) => p.displayName === policy.displayName)).toHaveLength(1);
    expect(policies[0]!.notificationChannels).toEqual([first.channel]);

    const labels = (feature: string, metric: string) => ({ model: 'flight-delay', version: '3', feature, metric });
    await env.writeGauge(FEATURE_SCORE_METRIC, [
      { labels: labels('origin', 'l_infinity'), value: 0.15 }, // above its own 0.1
      { labels: labels('destination', 'l_infinity'), value: 0.05 },
      { labels: labels('distance', 'jensen_shannon'), value: 0.2 }, // below the default 0.3
      { labels: labels('date_month', 'jensen_shannon'), value: 0.65 },
      { labels: labels('date_month', 'psi'), value: 0.2 }, // below the PSI threshold
      { labels: { ...labels('date_month', 'jensen_shannon'), model: 'another-model' }, value: 0.9 },
    ]);
    const report = await env.evaluate();
    const [created] = await env.policies.getAlertPolicy({ name: first.policies[0]! });
    const conditionNames = new Map((created.conditions ?? []).map((c) => [c.name, c.displayName]));
    const opened = report.opened.map((i) => `${i.metric.labels.model}/${i.metric.labels.feature}/${i.metric.labels.metric}: ${conditionNames.get(i.condition)}`).sort();
    expect(opened).toEqual([
      'flight-delay/date_month/jensen_shannon: Feature drift above 0.3',
      'flight-delay/origin/l_infinity: Drift of origin, destination above 0.1',
    ]);
  });
});
