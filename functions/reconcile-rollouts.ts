// reconcileRollouts (HTTP): Cloud Scheduler calls it every minute (the local cloud, faster). One
// pass over the active rollouts: each is brought one or more safe steps towards its record's
// desired state. It never waits on Vertex: what is not done yet is seen done by a later pass.
import type { Request, Response } from '@google-cloud/functions-framework';
import { googleError } from '../control-plane/api/google-error.js';
import { reconcileRollouts as reconcileAll } from '../control-plane/rollouts/reconcile.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { log } from '../logging/log.js';

export async function reconcileRollouts(req: Request, res: Response): Promise<void> {
  const started = performance.now();
  try {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.set('Allow', 'POST, GET');
      res.status(405).json({ error: { code: 405, message: `${req.method} is not allowed; POST (as Cloud Scheduler does) or GET`, status: 'INVALID_ARGUMENT' } });
      return;
    }
    const result = await reconcileAll(controlPlaneFromEnvironment());
    // Some rollouts could not be reconciled: 500 makes Scheduler's retry policy try again soon.
    const status = result.errors.length > 0 ? 500 : 200;
    res.status(status).json(result);
    log(status === 200 ? 'INFO' : 'WARNING', 'reconcileRollouts invocation', { function: 'reconcileRollouts', status, rollouts: result.rollouts.length, errors: result.errors.length, durationMs: Math.round(performance.now() - started) });
  } catch (err) {
    const { httpStatus, body } = googleError(err);
    log('ERROR', 'reconcileRollouts invocation', { function: 'reconcileRollouts', status: httpStatus, error: String((err as Error)?.stack ?? err), durationMs: Math.round(performance.now() - started) });
    res.status(httpStatus).json(body);
  }
}
