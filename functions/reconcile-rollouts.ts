// reconcileRollouts (HTTP): Cloud Scheduler calls it every minute (the local cloud, faster). One
// pass over the active rollouts: each is brought one or more safe steps towards its record's
// desired state. It never waits on Vertex: what is not done yet is seen done by a later pass.
import { reconcileRollouts as reconcileAll } from '../control-plane/rollouts/reconcile.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { scheduledFunction } from './scheduled-function.js';

export const reconcileRollouts = scheduledFunction(
  'reconcileRollouts',
  () => reconcileAll(controlPlaneFromEnvironment()),
  (result) => ({ rollouts: result.rollouts.length, errors: result.errors.length }),
);
