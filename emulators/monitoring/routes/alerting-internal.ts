// The emulator's own alerting routes (not Google's API; like every /_emulator/ route they bypass
// fault injection). On Google, policies are evaluated and incidents kept inside Google; here a test
// or a person can run a pass and see its outcome:
//   POST /_emulator/alerting:evaluate    one evaluation pass now; answers what changed (EvaluationReport)
//   GET  /_emulator/alerting/incidents   incidents, oldest first (?state=open|closed, ?policy=NAME)
//   GET  /_emulator/alerting/deliveries  notification deliveries, oldest first (?incidentId=, ?channel=, ?status=)
import type { EmulatorServer } from '../../kit/server.js';
import type { Alerting } from '../alerting/alerting.js';
import type { MonitoringStore } from '../store.js';
import { bindQuery } from '../validation.js';

export const ALERTING_INTERNAL_PREFIX = '/_emulator/alerting';

export function registerAlertingInternalRoutes(server: EmulatorServer, store: MonitoringStore, alerting: Alerting): void {
  server
    .route('POST', `${ALERTING_INTERNAL_PREFIX}:evaluate`, (ctx) => {
      bindQuery(ctx.query, { singular: [] });
      return alerting.evaluateNow();
    })
    .route('GET', `${ALERTING_INTERNAL_PREFIX}/incidents`, (ctx) => {
      const bound = bindQuery(ctx.query, { singular: ['state', 'policy'] });
      return store.exclusive(() => Promise.resolve({ incidents: alerting.incidents({ state: bound.get('state')?.[0], policy: bound.get('policy')?.[0] }) }));
    })
    .route('GET', `${ALERTING_INTERNAL_PREFIX}/deliveries`, (ctx) => {
      const bound = bindQuery(ctx.query, { singular: ['incidentId', 'channel', 'status'] });
      const filter = { incidentId: bound.get('incidentId')?.[0], channel: bound.get('channel')?.[0], status: bound.get('status')?.[0] };
      return store.exclusive(() => Promise.resolve({ deliveries: alerting.deliveries(filter) }));
    });
}
