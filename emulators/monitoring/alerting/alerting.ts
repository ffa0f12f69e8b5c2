// Alerting for the Monitoring emulator: the notification channel and alert policy services, the
// evaluation passes (every `evaluationIntervalMs` on a timer, or on demand) and the delivery of
// their notifications. One instance per emulator, sharing the emulator's store and its lock.
import { emulatorLog } from '../../kit/log.js';
import type { MonitoringStore } from '../store.js';
import { ChannelService } from './channels.js';
import { Dispatcher, type PubSubHostSource } from './dispatcher.js';
import { AlertEvaluator, logProblems, type PassSummary } from './evaluator.js';
import type { Delivery, Incident } from './model.js';
import { PolicyService } from './policies.js';
import { AlertingState } from './state.js';
import { formatTimestamp } from '../proto-json.js';

export interface AlertingOptions {
  /** Milliseconds between evaluation passes; 0 turns the timer off (passes run only on demand). */
  evaluationIntervalMs: number;
  /** The emulator's clock, epoch milliseconds. */
  now: () => number;
  /** Where pubsub channels publish; may be learnt later (setPubSubEmulatorHost). */
  pubsubEmulatorHost?: PubSubHostSource;
}

/** An incident as the internal routes show it. */
export interface IncidentView {
  incidentId: string;
  policy: string;
  condition: string;
  state: 'open' | 'closed';
  startTime: string;
  endTime?: string;
  closeReason?: string;
  observedValue?: number;
  metric: Incident['metric'];
  resource: Incident['resource'];
}

/** What a pass changed: the answer of POST /_emulator/alerting:evaluate. */
export interface EvaluationReport {
  evaluationTime: string;
  policiesEvaluated: number;
  opened: IncidentView[];
  renotified: IncidentView[];
  closed: IncidentView[];
  /** The deliveries the pass queued, after the attempt to send them. */
  deliveries: Delivery[];
  problems: PassSummary['problems'];
}

export class Alerting {
  readonly channels: ChannelService;
  readonly policies: PolicyService;
  private readonly evaluator: AlertEvaluator;
  private readonly dispatcher: Dispatcher;
  private timer: NodeJS.Timeout | undefined;
  private passes: Promise<unknown> = Promise.resolve();
  private flushes: Promise<unknown> = Promise.resolve();
  private passInFlight = false;
  private closed = false;

  private constructor(
    private readonly store: MonitoringStore,
    private readonly state: AlertingState,
    private readonly options: AlertingOptions,
  ) {
    this.evaluator = new AlertEvaluator(store, state);
    this.dispatcher = new Dispatcher(options.pubsubEmulatorHost, options.now);
    this.channels = new ChannelService(state, options.now);
    this.policies = new PolicyService(store, state, this.evaluator, options.now, () => void this.flush());
  }

  static async start(store: MonitoringStore, options: AlertingOptions): Promise<Alerting> {
    const alerting = new Alerting(store, await store.exclusive(() => AlertingState.load(store)), options);
    if (options.evaluationIntervalMs > 0) {
      alerting.timer = setInterval(() => alerting.tick(), options.evaluationIntervalMs);
      alerting.timer.unref();
    }
    return alerting;
  }

  setPubSubEmulatorHost(host: PubSubHostSource | undefined): void {
    this.dispatcher.setHost(host);
  }

  /** One pass now (after any pass in progress), then the delivery of what it queued. */
  evaluateNow(): Promise<EvaluationReport> {
    const run = this.passes.then(() => this.pass());
    this.passes = run.catch(() => undefined);
    return run;
  }

  incidents(filter: { state?: string | undefined; policy?: string | undefined }): IncidentView[] {
    return [...this.state.incidents.values()]
      .filter((i) => (!filter.state || i.state === filter.state) && (!filter.policy || i.policy === filter.policy))
      .sort((a, b) => a.startedAtMs - b.startedAtMs || (a.incidentId < b.incidentId ? -1 : 1))
      .map(view);
  }

  deliveries(filter: { incidentId?: string | undefined; channel?: string | undefined; status?: string | undefined }): Delivery[] {
    return [...this.state.deliveries.values()]
      .filter((d) => (!filter.incidentId || d.incidentId === filter.incidentId) && (!filter.channel || d.channel === filter.channel) && (!filter.status || d.status === filter.status))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.passes;
    await this.flushes;
    await this.dispatcher.close();
  }

  private tick(): void {
    if (this.passInFlight || this.closed) return;
    this.evaluateNow().catch((err: unknown) => emulatorLog('ERROR', 'monitoring alerting: evaluation pass failed', { error: String((err as Error).stack ?? err) }));
  }

  private async pass(): Promise<EvaluationReport> {
    this.passInFlight = true;
    try {
      const summary = await this.store.exclusive(() => this.evaluator.evaluate(this.options.now()));
      logProblems(summary);
      const sent = new Map((await this.flush()).map((d) => [d.id, d]));
      return {
        evaluationTime: summary.evaluationTime,
        policiesEvaluated: summary.policiesEvaluated,
        opened: summary.opened.map(view),
        renotified: summary.renotified.map(view),
        closed: summary.closed.map(view),
        deliveries: summary.deliveries.map((d) => sent.get(d.id) ?? d),
        problems: summary.problems,
      };
    } finally {
      this.passInFlight = false;
    }
  }

  /** Sends every pending delivery, one flush at a time, and records the outcomes. */
  private flush(): Promise<Delivery[]> {
    const run = this.flushes.then(async () => {
      // Once closing, what is still pending stays queued in the store for the next start.
      if (this.closed) return [];
      const pending = await this.store.exclusive(() => Promise.resolve([...this.state.deliveries.values()].filter((d) => d.status === 'pending')));
      const updated = await this.dispatcher.send(pending);
      if (updated.length > 0) await this.store.exclusive(() => this.state.commit({ deliveries: updated }));
      return updated;
    });
    this.flushes = run.catch((err: unknown) => emulatorLog('ERROR', 'monitoring alerting: delivering notifications failed', { error: String(err) }));
    return run;
  }
}

function view(i: Incident): IncidentView {
  const ns = (ms: number) => formatTimestamp(BigInt(ms) * 1_000_000n);
  return {
    incidentId: i.incidentId,
    policy: i.policy,
    condition: i.condition,
    state: i.state,
    startTime: ns(i.startedAtMs),
    ...(i.endedAtMs !== undefined ? { endTime: ns(i.endedAtMs) } : {}),
    ...(i.closeReason ? { closeReason: i.closeReason } : {}),
    ...(i.observedValue !== undefined ? { observedValue: i.observedValue } : {}),
    metric: i.metric,
    resource: i.resource,
  };
}
