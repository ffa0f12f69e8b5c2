// An AlertPolicy from a request: Google's checks and limits, field by field, with 400s naming the
// field (`alert_policy.conditions[0].condition_threshold.filter`). Condition kinds and options the
// emulator does not evaluate are a 400 that says so, not a silently inert policy.
import { isDeepStrictEqual } from 'node:util';
import type { AggregationSpec } from '../aggregation/spec.js';
import { checkAggregationSpec, planAggregation, type Shape } from '../aggregation/spec.js';
import { compileSeriesFilter } from '../filter/compile.js';
import type { MetricDescriptor } from '../model.js';
import { formatDuration, NS_PER_SECOND, parseDuration } from '../proto-json.js';
import { invalidField } from '../validation.js';
import { checkBytes, checkLength, checkUserLabels, required } from './checks.js';
import type { AlertPolicy, AlertStrategy, Condition, Documentation, StoredAggregation, ThresholdCondition, Trigger } from './model.js';
import type { AggregationInput, AlertPolicyInput, ConditionInput } from './schemas.js';

const MAX_CONDITIONS = 6;
const MAX_CHANNELS = 16;
const MAX_FILTER_CHARS = 2048;
const MINUTE = 60n * NS_PER_SECOND;
const MIN_AUTO_CLOSE = 30n * MINUTE;
const MAX_AUTO_CLOSE = 7n * 24n * 60n * MINUTE;

const P = 'alert_policy';

/** A 400, not a 501: Google supports these, the emulator refuses them by name instead of ignoring them. */
const unsupported = (field: string, reason: string, value?: string) => invalidField(field, reason, value);

export interface PolicyContext {
  project: string;
  /** The policy's name (new or existing). */
  name: string;
  /** The stored policy on update: its condition names may be reused. */
  existing?: AlertPolicy;
  /** Whether a notification channel exists. */
  channelExists: (name: string) => boolean;
  /** The metric's descriptor, when it exists: aggregations are then checked against its kind and type. */
  descriptorOf: (metricType: string) => Promise<MetricDescriptor | undefined>;
  /** A new condition id. */
  newConditionId: () => string;
  records: Pick<AlertPolicy, 'creationRecord' | 'mutationRecord'>;
}

export async function policyFromInput(input: AlertPolicyInput, ctx: PolicyContext): Promise<AlertPolicy> {
  const displayName = required(input.displayName, `${P}.display_name`);
  checkLength(displayName, 512, `${P}.display_name`);
  const userLabels = input.userLabels ?? {};
  checkUserLabels(userLabels, `${P}.user_labels`);

  const conditionsInput = input.conditions ?? [];
  if (conditionsInput.length === 0) throw invalidField(`${P}.conditions`, 'An alert policy must have at least one condition.');
  if (conditionsInput.length > MAX_CONDITIONS) throw invalidField(`${P}.conditions`, `An alert policy may have at most ${MAX_CONDITIONS} conditions; it has ${conditionsInput.length}.`);
  const conditions: Condition[] = [];
  const usedNames = new Set<string>();
  // Names the request gives are not free for unnamed conditions to take.
  const named = new Set(conditionsInput.flatMap((c) => (c.name ? [c.name] : [])));
  for (const [i, c] of conditionsInput.entries()) {
    const condition = await conditionFromInput(c, i, ctx, usedNames, named);
    usedNames.add(condition.name);
    conditions.push(condition);
  }

  const combiner = input.combiner ?? 'COMBINE_UNSPECIFIED';
  if (combiner === 'AND_WITH_MATCHING_RESOURCE') {
    throw unsupported(`${P}.combiner`, 'AND_WITH_MATCHING_RESOURCE is not supported by the Cloud Monitoring emulator; use AND or OR.', combiner);
  }
  if (combiner === 'COMBINE_UNSPECIFIED' && conditions.length > 1) {
    throw invalidField(`${P}.combiner`, 'A combiner (AND or OR) must be specified when a policy has more than one condition.', combiner);
  }

  const notificationChannels = input.notificationChannels ?? [];
  if (notificationChannels.length > MAX_CHANNELS) throw invalidField(`${P}.notification_channels`, `An alert policy may have at most ${MAX_CHANNELS} notification channels.`);
  notificationChannels.forEach((channel, i) => checkChannel(channel, `${P}.notification_channels[${i}]`, ctx));

  return {
    name: ctx.name,
    displayName,
    ...(input.documentation ? { documentation: documentationFromInput(input.documentation) } : {}),
    userLabels: { ...userLabels },
    conditions,
    combiner,
    enabled: input.enabled ?? true,
    notificationChannels: [...notificationChannels],
    ...ctx.records,
    ...(input.alertStrategy ? { alertStrategy: strategyFromInput(input.alertStrategy, notificationChannels, ctx) } : {}),
    ...(input.severity && input.severity !== 'SEVERITY_UNSPECIFIED' ? { severity: input.severity } : {}),
  };
}

function checkChannel(channel: string, field: string, ctx: PolicyContext): void {
  if (!/^projects\/[^/]+\/notificationChannels\/[^/]+$/.test(channel)) {
    throw invalidField(field, 'Notification channels are named projects/{project}/notificationChannels/{channel_id}.', channel);
  }
  if (!channel.startsWith(`projects/${ctx.project}/`)) throw invalidField(field, `The notification channel must belong to project ${ctx.project}.`, channel);
  if (!ctx.channelExists(channel)) throw invalidField(field, 'The notification channel does not exist.', channel);
}

function documentationFromInput(d: NonNullable<AlertPolicyInput['documentation']>): Documentation {
  const at = `${P}.documentation`;
  checkLength(d.content, 8192, `${at}.content`);
  checkBytes(d.content, 10240, `${at}.content`);
  checkBytes(d.subject, 10240, `${at}.subject`);
  // Google fills in the only supported format when content is given without one.
  const mimeType = d.mimeType || (d.content ? 'text/markdown' : undefined);
  if (mimeType !== undefined && mimeType !== 'text/markdown') throw invalidField(`${at}.mime_type`, 'Only "text/markdown" is supported.', mimeType);
  const links = d.links ?? [];
  if (links.length > 3) throw invalidField(`${at}.links`, 'At most 3 links are allowed.');
  links.forEach((l, i) => {
    const name = required(l.displayName, `${at}.links[${i}].display_name`);
    checkLength(name, 63, `${at}.links[${i}].display_name`);
    required(l.url, `${at}.links[${i}].url`);
    checkLength(l.url, 2083, `${at}.links[${i}].url`);
  });
  return {
    ...(d.content ? { content: d.content } : {}),
    ...(mimeType ? { mimeType } : {}),
    ...(d.subject ? { subject: d.subject } : {}),
    ...(links.length > 0 ? { links: links.map((l) => ({ displayName: l.displayName, url: l.url })) } : {}),
  };
}

async function conditionFromInput(c: ConditionInput, i: number, ctx: PolicyContext, usedNames: ReadonlySet<string>, named: ReadonlySet<string>): Promise<Condition> {
  const at = `${P}.conditions[${i}]`;
  const kinds = (['conditionThreshold', 'conditionAbsent', 'conditionMatchedLog', 'conditionMonitoringQueryLanguage', 'conditionPrometheusQueryLanguage', 'conditionSql'] as const).filter(
    (k) => c[k] !== undefined,
  );
  if (kinds.length === 0) throw invalidField(at, 'A condition must have exactly one of condition_threshold, condition_absent, condition_matched_log, condition_monitoring_query_language, condition_prometheus_query_language or condition_sql.');
  if (kinds.length > 1) throw invalidField(at, `A condition may have only one kind; it has ${kinds.join(' and ')}.`);
  const kind = kinds[0]!;
  if (kind !== 'conditionThreshold' || !c.conditionThreshold) {
    throw unsupported(`${at}.${kind.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)}`, 'Only condition_threshold conditions are supported by the Cloud Monitoring emulator.');
  }
  const displayName = required(c.displayName, `${at}.display_name`);
  checkLength(displayName, 512, `${at}.display_name`);
  const conditionThreshold = await thresholdFromInput(c.conditionThreshold, `${at}.condition_threshold`, ctx);
  return { name: conditionName(c.name, { displayName, conditionThreshold }, at, ctx, usedNames, named), displayName, conditionThreshold };
}

/**
 * A condition keeps its name when it names one of the policy's current conditions. An unnamed one
 * identical to a current condition (display name and threshold) takes that condition's name, so
 * that re-applying a declared policy does not cancel its open incidents; others get a new name.
 */
function conditionName(given: string | undefined, content: Omit<Condition, 'name'>, at: string, ctx: PolicyContext, usedNames: ReadonlySet<string>, named: ReadonlySet<string>): string {
  if (given && ctx.existing) {
    if (!ctx.existing.conditions.some((c) => c.name === given)) throw invalidField(`${at}.name`, `The policy has no condition of this name; leave the name out for a new condition.`, given);
    if (usedNames.has(given)) throw invalidField(`${at}.name`, 'Two conditions have the same name.', given);
    return given;
  }
  const same = ctx.existing?.conditions.find((c) => !usedNames.has(c.name) && !named.has(c.name) && isDeepStrictEqual({ displayName: c.displayName, conditionThreshold: c.conditionThreshold }, content));
  return same?.name ?? `${ctx.name}/conditions/${ctx.newConditionId()}`;
}

async function thresholdFromInput(t: NonNullable<ConditionInput['conditionThreshold']>, at: string, ctx: PolicyContext): Promise<ThresholdCondition> {
  const filter = required(t.filter, `${at}.filter`);
  checkLength(filter, MAX_FILTER_CHARS, `${at}.filter`);
  const { metricType } = compileSeriesFilter(filter, `${at}.filter`);
  if (t.denominatorFilter || t.denominatorAggregations?.length) throw unsupported(`${at}.denominator_filter`, 'Ratio conditions are not supported by the Cloud Monitoring emulator.');
  if (t.forecastOptions) throw unsupported(`${at}.forecast_options`, 'Forecast conditions are not supported by the Cloud Monitoring emulator.');

  const aggregations = (t.aggregations ?? []).map((a, j) => aggregationFromInput(a, `${at}.aggregations[${j}]`));
  const descriptor = await ctx.descriptorOf(metricType);
  if (descriptor) checkAgainstMetric(aggregations, descriptor, `${at}.aggregations`);

  const comparison = t.comparison ?? 'COMPARISON_UNSPECIFIED';
  if (comparison === 'COMPARISON_UNSPECIFIED') throw invalidField(`${at}.comparison`, 'A comparison must be specified.', comparison);
  const thresholdValue = t.thresholdValue ?? 0;
  if (!Number.isFinite(thresholdValue)) throw invalidField(`${at}.threshold_value`, 'The threshold must be a finite number.', String(thresholdValue));

  const durationNs = t.duration ?? 0n;
  if (durationNs < 0n || durationNs % MINUTE !== 0n) {
    throw invalidField(`${at}.duration`, 'The duration must be a multiple of a minute (0s, 60s, 120s, ...).', formatDuration(durationNs));
  }
  const missing = t.evaluationMissingData;
  if (missing && missing !== 'EVALUATION_MISSING_DATA_UNSPECIFIED' && durationNs < MINUTE) {
    throw invalidField(`${at}.evaluation_missing_data`, 'evaluation_missing_data needs a duration of at least 60 seconds.', missing);
  }
  return {
    filter,
    aggregations,
    comparison,
    thresholdValue,
    duration: formatDuration(durationNs),
    ...(t.trigger ? { trigger: triggerFromInput(t.trigger, `${at}.trigger`) } : {}),
    ...(missing && missing !== 'EVALUATION_MISSING_DATA_UNSPECIFIED' ? { evaluationMissingData: missing } : {}),
  };
}

function triggerFromInput(t: Trigger, at: string): Trigger {
  if (t.count !== undefined && t.percent !== undefined) throw invalidField(at, 'Only one of count and percent may be set.');
  if (t.count !== undefined && t.count < 0) throw invalidField(`${at}.count`, 'The count must not be negative.', String(t.count));
  if (t.percent !== undefined && !(t.percent > 0 && t.percent <= 100)) throw invalidField(`${at}.percent`, 'The percent must be greater than 0 and at most 100.', String(t.percent));
  return t.count !== undefined ? { count: t.count } : t.percent !== undefined ? { percent: t.percent } : {};
}

export function aggregationSpec(a: StoredAggregation): AggregationSpec {
  return {
    ...(a.alignmentPeriod ? { alignmentPeriodNs: storedDuration(a.alignmentPeriod) } : {}),
    aligner: a.perSeriesAligner,
    reducer: a.crossSeriesReducer,
    groupByFields: a.groupByFields,
  };
}

function aggregationFromInput(a: AggregationInput, at: string): StoredAggregation {
  const stored: StoredAggregation = {
    ...(a.alignmentPeriod !== undefined ? { alignmentPeriod: formatDuration(a.alignmentPeriod) } : {}),
    perSeriesAligner: a.perSeriesAligner ?? 'ALIGN_NONE',
    crossSeriesReducer: a.crossSeriesReducer ?? 'REDUCE_NONE',
    groupByFields: a.groupByFields ?? [],
  };
  checkAggregationSpec(aggregationSpec(stored), at, 'proto');
  return stored;
}

/** The aggregations applied in order, each on what the previous produced. */
function checkAgainstMetric(aggregations: readonly StoredAggregation[], descriptor: MetricDescriptor, at: string): void {
  let shape: Shape = { metricKind: descriptor.metricKind, valueType: descriptor.valueType };
  aggregations.forEach((a, j) => {
    const plan = planAggregation(aggregationSpec(a), shape, `${at}[${j}]`, 'proto');
    if (plan) shape = plan.output;
  });
}

function strategyFromInput(s: NonNullable<AlertPolicyInput['alertStrategy']>, channels: readonly string[], ctx: PolicyContext): AlertStrategy {
  const at = `${P}.alert_strategy`;
  if (s.autoClose !== undefined && (s.autoClose < MIN_AUTO_CLOSE || s.autoClose > MAX_AUTO_CLOSE)) {
    throw invalidField(`${at}.auto_close`, 'auto_close must be between 30 minutes and 7 days.', formatDuration(s.autoClose));
  }
  const prompts = s.notificationPrompts ?? [];
  prompts.forEach((p, i) => {
    if (p === 'NOTIFICATION_PROMPT_UNSPECIFIED') throw invalidField(`${at}.notification_prompts[${i}]`, 'The notification prompt must be OPENED or CLOSED.', p);
  });
  if (prompts.length > 0 && !prompts.includes('OPENED')) throw invalidField(`${at}.notification_prompts`, 'The notification prompts must be [OPENED] or [OPENED, CLOSED].');
  if (s.notificationRateLimit?.period !== undefined && s.notificationRateLimit.period <= 0n) {
    throw invalidField(`${at}.notification_rate_limit.period`, 'The period must be positive.', formatDuration(s.notificationRateLimit.period));
  }
  const strategies = (s.notificationChannelStrategy ?? []).map((cs, i) => {
    const names = cs.notificationChannelNames ?? [];
    if (names.length === 0) throw invalidField(`${at}.notification_channel_strategy[${i}].notification_channel_names`, 'At least one notification channel must be named.');
    names.forEach((name, j) => {
      const field = `${at}.notification_channel_strategy[${i}].notification_channel_names[${j}]`;
      checkChannel(name, field, ctx);
      if (!channels.includes(name)) throw invalidField(field, "The channel must be one of the policy's notification_channels.", name);
    });
    if (cs.renotifyInterval !== undefined && cs.renotifyInterval <= 0n) {
      throw invalidField(`${at}.notification_channel_strategy[${i}].renotify_interval`, 'The renotify interval must be positive.', formatDuration(cs.renotifyInterval));
    }
    return { notificationChannelNames: [...names], ...(cs.renotifyInterval !== undefined ? { renotifyInterval: formatDuration(cs.renotifyInterval) } : {}) };
  });
  return {
    ...(s.notificationRateLimit ? { notificationRateLimit: s.notificationRateLimit.period !== undefined ? { period: formatDuration(s.notificationRateLimit.period) } : {} } : {}),
    ...(prompts.length > 0 ? { notificationPrompts: [...prompts] } : {}),
    ...(s.autoClose !== undefined ? { autoClose: formatDuration(s.autoClose) } : {}),
    ...(strategies.length > 0 ? { notificationChannelStrategy: strategies } : {}),
  };
}

/** A duration this module stored (canonical proto3 JSON, "60s"). */
export function storedDuration(text: string): bigint {
  const ns = parseDuration(text);
  if (ns === undefined) throw new Error(`not a stored duration: ${text}`);
  return ns;
}
