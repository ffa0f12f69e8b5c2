// One evaluation pass over every enabled alert policy, on the emulator's clock: each threshold
// condition is read (conditions.ts); a series violating continuously for the condition's duration
// counts; the trigger (count or percent) and the combiner (AND / OR) decide whether the policy is
// met. One incident is opened per violating (policy, condition, series), kept open while the series
// violates, re-notified per the channel strategy's renotify interval, and closed when the series
// stops violating, when data goes missing (per evaluationMissingData, or after autoClose).
// Every open, renotification and close queues a delivery to each enabled channel of the policy.
import { emulatorLog } from '../../kit/log.js';
import { formatTimestamp } from '../proto-json.js';
import type { MonitoringStore } from '../store.js';
import { readCondition, violates, type ConditionReading } from './conditions.js';
import type { AlertPolicy, CloseReason, Condition, Delivery, DeliveryEvent, Incident } from './model.js';
import { buildNotification } from './notification.js';
import { storedDuration } from './policy-input.js';
import type { AlertingState, Changes } from './state.js';

const NS_PER_MS = 1_000_000n;
/** Google's default when a policy sets no alertStrategy.autoClose. */
const DEFAULT_AUTO_CLOSE = '604800s';

export interface PassSummary {
  /** RFC 3339, the emulator clock's reading the pass evaluated at. */
  evaluationTime: string;
  policiesEvaluated: number;
  opened: Incident[];
  renotified: Incident[];
  closed: Incident[];
  /** Deliveries queued by this pass (pubsub ones are sent right after). */
  deliveries: Delivery[];
  /** Conditions that could not be evaluated, and why. */
  problems: { policy: string; condition: string; problem: string }[];
}

interface ConditionOutcome {
  condition: Condition;
  reading: ConditionReading;
  /** Violating now, by series key. */
  violating: Set<string>;
  /** Violating for at least the condition's duration. */
  counting: Set<string>;
  triggered: boolean;
}

export class AlertEvaluator {
  /** When each (policy, condition, series) started violating, in ns: in memory (after a restart durations count again). */
  private readonly since = new Map<string, Map<string, bigint>>();

  constructor(
    private readonly store: MonitoringStore,
    private readonly state: AlertingState,
  ) {}

  /** Runs a pass at `nowMs` and commits its incidents and deliveries. Call inside the store's exclusive section. */
  async evaluate(nowMs: number): Promise<PassSummary> {
    const summary: PassSummary = { evaluationTime: formatTimestamp(BigInt(nowMs) * NS_PER_MS), policiesEvaluated: 0, opened: [], renotified: [], closed: [], deliveries: [], problems: [] };
    const touched = new Map<string, Incident>();
    for (const policy of this.state.policies.values()) {
      if (!policy.enabled) continue;
      summary.policiesEvaluated += 1;
      await this.evaluatePolicy(policy, nowMs, summary, touched);
    }
    this.forgetRemovedPolicies();
    await this.state.commit({ incidents: [...touched.values()], deliveries: summary.deliveries });
    return summary;
  }

  /**
   * Closes the open incidents of `conditions` (all of the policy's when undefined): their condition
   * was changed or deleted, or the policy was. Returns the changes to commit with the policy write.
   */
  async cancel(policy: AlertPolicy, conditions: ReadonlySet<string> | undefined, reason: Extract<CloseReason, 'policy-changed' | 'policy-deleted'>, nowMs: number): Promise<Changes> {
    const incidents: Incident[] = [];
    const deliveries: Delivery[] = [];
    for (const incident of this.state.incidents.values()) {
      if (incident.state !== 'open' || incident.policy !== policy.name || (conditions && !conditions.has(incident.condition))) continue;
      const condition = policy.conditions.find((c) => c.name === incident.condition);
      const closed: Incident = { ...incident, state: 'closed', endedAtMs: nowMs, closeReason: reason };
      // A deleted policy has nobody left to notify on its behalf.
      if (condition && reason === 'policy-changed' && notifiesOnClose(policy)) deliveries.push(...(await this.deliveriesFor(closed, policy, condition, 'closed', nowMs)));
      incidents.push(closed);
      this.since.delete(trackerKey(policy.name, incident.condition));
    }
    return { incidents, deliveries };
  }

  private async evaluatePolicy(policy: AlertPolicy, nowMs: number, summary: PassSummary, touched: Map<string, Incident>): Promise<void> {
    const nowNs = BigInt(nowMs) * NS_PER_MS;
    const project = policy.name.split('/')[1]!;
    const outcomes: ConditionOutcome[] = [];
    for (const condition of policy.conditions) {
      const reading = await readCondition(this.store, project, condition.conditionThreshold, nowNs);
      if (reading.problem) summary.problems.push({ policy: policy.name, condition: condition.name, problem: reading.problem });
      outcomes.push(this.judge(policy, condition, reading, nowNs));
    }
    const met = policy.combiner === 'AND' ? outcomes.every((o) => o.triggered) : outcomes.some((o) => o.triggered);
    const autoCloseMs = Number(storedDuration(policy.alertStrategy?.autoClose ?? DEFAULT_AUTO_CLOSE) / NS_PER_MS);

    for (const outcome of outcomes) {
      const { condition, reading } = outcome;
      const values = new Map(reading.series.map((s) => [s.key, s]));
      const open = this.openIncidents(policy.name, condition.name);
      for (const incident of open.values()) {
        const series = values.get(incident.seriesKey);
        let next: Incident = series ? { ...incident, observedValue: series.value, lastDataMs: nowMs } : incident;
        const reason = closeReason(next, series !== undefined, outcome, policy, met, nowMs, autoCloseMs);
        if (reason) {
          next = { ...next, state: 'closed', endedAtMs: nowMs, closeReason: reason };
          summary.closed.push(next);
          if (notifiesOnClose(policy)) summary.deliveries.push(...(await this.deliveriesFor(next, policy, condition, 'closed', nowMs, reading)));
        } else {
          next = await this.renotify(next, policy, condition, nowMs, summary, reading);
        }
        if (next !== incident) touched.set(next.incidentId, next);
      }
      if (!met || (policy.combiner !== 'AND' && !outcome.triggered)) continue;
      for (const key of outcome.counting) {
        const series = values.get(key);
        // A series counted only through missing data (ACTIVE) has no reading to open an incident from.
        if (open.has(key) || !series) continue;
        let incident: Incident = {
          incidentId: this.state.newIncidentId(),
          project,
          policy: policy.name,
          condition: condition.name,
          seriesKey: key,
          metric: { type: series.identity.metricType, labels: { ...series.identity.metricLabels } },
          resource: { type: series.identity.resourceType, labels: { ...series.identity.resourceLabels } },
          state: 'open',
          startedAtMs: nowMs,
          observedValue: series.value,
          lastDataMs: nowMs,
          notifiedAtMs: {},
        };
        const deliveries = await this.deliveriesFor(incident, policy, condition, 'opened', nowMs, reading);
        incident = { ...incident, notifiedAtMs: Object.fromEntries(deliveries.map((d) => [d.channel, nowMs])) };
        summary.deliveries.push(...deliveries);
        summary.opened.push(incident);
        touched.set(incident.incidentId, incident);
      }
    }
  }

  /** Which series violate now, which have for the condition's duration, and whether the trigger fires. */
  private judge(policy: AlertPolicy, condition: Condition, reading: ConditionReading, nowNs: bigint): ConditionOutcome {
    const t = condition.conditionThreshold;
    const durationNs = storedDuration(t.duration);
    const key = trackerKey(policy.name, condition.name);
    const previous = this.since.get(key) ?? new Map<string, bigint>();
    const tracked = new Map<string, bigint>();
    const violating = new Set<string>();
    for (const s of reading.series) {
      if (!violates(s.value, t.comparison, t.thresholdValue)) continue;
      violating.add(s.key);
      tracked.set(s.key, previous.get(s.key) ?? nowNs);
    }
    // With EVALUATION_MISSING_DATA_ACTIVE, a violating series that stops reporting still violates.
    if (t.evaluationMissingData === 'EVALUATION_MISSING_DATA_ACTIVE') {
      const reporting = new Set(reading.series.map((s) => s.key));
      for (const [k, since] of previous) {
        if (reporting.has(k)) continue;
        violating.add(k);
        tracked.set(k, since);
      }
    }
    this.since.set(key, tracked);
    const counting = new Set([...tracked].filter(([, since]) => nowNs - since >= durationNs).map(([k]) => k));
    const trigger = t.trigger;
    let triggered: boolean;
    if (trigger?.percent !== undefined) {
      const population = new Set([...reading.series.map((s) => s.key), ...counting]).size;
      triggered = population > 0 && counting.size > 0 && (counting.size * 100) / population >= trigger.percent;
    } else {
      triggered = counting.size >= Math.max(1, trigger?.count ?? 1);
    }
    return { condition, reading, violating, counting, triggered };
  }

  private openIncidents(policy: string, condition: string): Map<string, Incident> {
    const open = new Map<string, Incident>();
    for (const i of this.state.incidents.values()) if (i.state === 'open' && i.policy === policy && i.condition === condition) open.set(i.seriesKey, i);
    return open;
  }

  /** Re-notifies the channels whose strategy asks for it and whose interval has passed since their last notification. */
  private async renotify(incident: Incident, policy: AlertPolicy, condition: Condition, nowMs: number, summary: PassSummary, reading: ConditionReading): Promise<Incident> {
    const due = new Set<string>();
    for (const strategy of policy.alertStrategy?.notificationChannelStrategy ?? []) {
      if (!strategy.renotifyInterval) continue;
      const intervalMs = Number(storedDuration(strategy.renotifyInterval) / NS_PER_MS);
      for (const channel of strategy.notificationChannelNames) {
        const last = incident.notifiedAtMs[channel] ?? incident.startedAtMs;
        if (nowMs - last >= intervalMs) due.add(channel);
      }
    }
    if (due.size === 0) return incident;
    const deliveries = await this.deliveriesFor(incident, policy, condition, 'renotified', nowMs, reading, due);
    if (deliveries.length === 0) return incident;
    summary.deliveries.push(...deliveries);
    summary.renotified.push(incident);
    return { ...incident, notifiedAtMs: { ...incident.notifiedAtMs, ...Object.fromEntries(deliveries.map((d) => [d.channel, nowMs])) } };
  }

  /** One delivery per enabled channel of the policy (or of `only`), carrying the notification as of now. */
  private async deliveriesFor(
    incident: Incident,
    policy: AlertPolicy,
    condition: Condition,
    event: DeliveryEvent,
    nowMs: number,
    reading?: ConditionReading,
    only?: ReadonlySet<string>,
  ): Promise<Delivery[]> {
    const descriptor = reading?.descriptor ?? (await this.store.getDescriptor(incident.project, incident.metric.type));
    const metricDisplayName = descriptor?.displayName || incident.metric.type;
    const deliveries: Delivery[] = [];
    for (const name of policy.notificationChannels) {
      if (only && !only.has(name)) continue;
      const channel = this.state.channels.get(name);
      if (!channel?.enabled) continue;
      const payload = buildNotification({ incident, policy, condition, channel, metricDisplayName, autoClose: policy.alertStrategy?.autoClose ?? DEFAULT_AUTO_CLOSE });
      deliveries.push({
        id: this.state.nextDeliveryId(),
        channel: channel.name,
        channelType: channel.type,
        destination: channel.type === 'pubsub' ? (channel.labels.topic ?? '') : (channel.labels.email_address ?? ''),
        incidentId: incident.incidentId,
        policy: policy.name,
        condition: condition.name,
        event,
        state: incident.state,
        createTime: formatTimestamp(BigInt(nowMs) * NS_PER_MS),
        // Email is recorded, never sent; Pub/Sub goes out right after the pass.
        status: channel.type === 'pubsub' ? 'pending' : 'recorded',
        attempts: 0,
        payload,
      });
    }
    return deliveries;
  }

  private forgetRemovedPolicies(): void {
    for (const key of this.since.keys()) {
      const [policy, condition] = key.split('\u0000') as [string, string];
      const p = this.state.policies.get(policy);
      if (!p?.enabled || !p.conditions.some((c) => c.name === condition)) this.since.delete(key);
    }
  }
}

const trackerKey = (policy: string, condition: string) => `${policy}\u0000${condition}`;

function notifiesOnClose(policy: AlertPolicy): boolean {
  const prompts = policy.alertStrategy?.notificationPrompts;
  return !prompts?.length || prompts.includes('CLOSED');
}

/** Why an open incident closes in this pass, or undefined when it stays open. */
function closeReason(incident: Incident, hasData: boolean, outcome: ConditionOutcome, policy: AlertPolicy, policyMet: boolean, nowMs: number, autoCloseMs: number): CloseReason | undefined {
  const missing = outcome.condition.conditionThreshold.evaluationMissingData;
  if (hasData) {
    if (!outcome.violating.has(incident.seriesKey)) return 'recovered';
    if (policy.combiner === 'AND' && !policyMet) return 'policy-not-met';
    return undefined;
  }
  if (missing === 'EVALUATION_MISSING_DATA_ACTIVE') return undefined;
  if (missing === 'EVALUATION_MISSING_DATA_INACTIVE') return 'missing-data';
  return nowMs - incident.lastDataMs >= autoCloseMs ? 'auto-closed' : undefined;
}

export function logProblems(summary: PassSummary): void {
  for (const p of summary.problems) emulatorLog('WARNING', 'alert condition cannot be evaluated', p);
}
