// Alerting's state: channels, policies, incidents and deliveries in memory, written through to the
// Monitoring store's DuckDB file (as JSON documents) so that a restarted emulator carries on.
// Callers hold the store's `exclusive` section around a read-check-commit sequence.
import { randomBytes } from 'node:crypto';
import type { MonitoringStore, AlertingDocument } from '../store.js';
import type { AlertPolicy, Delivery, Incident, NotificationChannel } from './model.js';

type Kind = 'channel' | 'policy' | 'incident' | 'delivery';

export interface Changes {
  channels?: readonly NotificationChannel[];
  policies?: readonly AlertPolicy[];
  incidents?: readonly Incident[];
  deliveries?: readonly Delivery[];
  removeChannels?: readonly string[];
  removePolicies?: readonly string[];
}

export class AlertingState {
  readonly channels = new Map<string, NotificationChannel>();
  readonly policies = new Map<string, AlertPolicy>();
  readonly incidents = new Map<string, Incident>();
  readonly deliveries = new Map<string, Delivery>();
  private deliverySeq = 0;

  private constructor(private readonly store: MonitoringStore) {}

  static async load(store: MonitoringStore): Promise<AlertingState> {
    const state = new AlertingState(store);
    // Written by this module from validated objects.
    const read = async <T>(kind: Kind) => (await store.readAlertingDocuments(kind)).map((d) => JSON.parse(d.body) as T);
    for (const c of await read<NotificationChannel>('channel')) state.channels.set(c.name, c);
    for (const p of await read<AlertPolicy>('policy')) state.policies.set(p.name, p);
    for (const i of await read<Incident>('incident')) state.incidents.set(i.incidentId, i);
    for (const d of await read<Delivery>('delivery')) {
      state.deliveries.set(d.id, d);
      state.deliverySeq = Math.max(state.deliverySeq, Number(d.id));
    }
    return state;
  }

  /** The next delivery id, in creation order. */
  nextDeliveryId(): string {
    this.deliverySeq += 1;
    return String(this.deliverySeq).padStart(12, '0');
  }

  /** A fresh resource id, numeric like Google's (e.g. `5056611904621304961`), unused in `taken`. */
  newResourceId(taken: (id: string) => boolean): string {
    for (;;) {
      const id = (randomBytes(8).readBigUInt64BE() >> 1n).toString();
      if (id.length >= 15 && !taken(id)) return id;
    }
  }

  /** Google's incident id form: `0.` and twelve base-36 characters. */
  newIncidentId(): string {
    for (;;) {
      const id = `0.${[...randomBytes(12)].map((b) => (b % 36).toString(36)).join('')}`;
      if (!this.incidents.has(id)) return id;
    }
  }

  /** Writes the changes in one transaction, then applies them here. */
  async commit(changes: Changes): Promise<void> {
    const put: AlertingDocument[] = [
      ...(changes.channels ?? []).map((c) => doc('channel', c.name, c)),
      ...(changes.policies ?? []).map((p) => doc('policy', p.name, p)),
      ...(changes.incidents ?? []).map((i) => doc('incident', i.incidentId, i)),
      ...(changes.deliveries ?? []).map((d) => doc('delivery', d.id, d)),
    ];
    const remove = [
      ...(changes.removeChannels ?? []).map((name) => ({ kind: 'channel', name })),
      ...(changes.removePolicies ?? []).map((name) => ({ kind: 'policy', name })),
    ];
    await this.store.writeAlertingDocuments(put, remove);
    for (const name of changes.removeChannels ?? []) this.channels.delete(name);
    for (const name of changes.removePolicies ?? []) this.policies.delete(name);
    for (const c of changes.channels ?? []) this.channels.set(c.name, c);
    for (const p of changes.policies ?? []) this.policies.set(p.name, p);
    for (const i of changes.incidents ?? []) this.incidents.set(i.incidentId, i);
    for (const d of changes.deliveries ?? []) this.deliveries.set(d.id, d);
  }
}

function doc(kind: Kind, name: string, value: object): AlertingDocument {
  return { kind, name, body: JSON.stringify(value) };
}
