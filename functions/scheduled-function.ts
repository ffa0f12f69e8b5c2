// The shape of the functions Cloud Scheduler calls (reconcileRollouts, checkDrift): POST (or GET by
// hand) runs one pass; a pass with per-item errors answers 500 so that Scheduler's retry policy
// tries again soon; one log line per invocation with its duration (function-seconds).
import type { Request, Response } from '@google-cloud/functions-framework';
import { googleError } from '../control-plane/api/google-error.js';
import { log } from '../logging/log.js';

export interface ScheduledPass {
  /** Items that could not be handled in this pass (the answer is then 500). */
  readonly errors: readonly unknown[];
}

export function scheduledFunction<R extends ScheduledPass>(name: string, pass: (req: Request) => Promise<R>, summary: (result: R) => Record<string, unknown>): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const started = performance.now();
    try {
      if (req.method !== 'POST' && req.method !== 'GET') {
        res.set('Allow', 'POST, GET');
        res.status(405).json({ error: { code: 405, message: `${req.method} is not allowed; POST (as Cloud Scheduler does) or GET`, status: 'INVALID_ARGUMENT' } });
        return;
      }
      const result = await pass(req);
      const status = result.errors.length > 0 ? 500 : 200;
      res.status(status).json(result);
      log(status === 200 ? 'INFO' : 'WARNING', `${name} invocation`, { function: name, status, ...summary(result), durationMs: Math.round(performance.now() - started) });
    } catch (err) {
      const { httpStatus, body } = googleError(err);
      log('ERROR', `${name} invocation`, { function: name, status: httpStatus, error: String((err as Error)?.stack ?? err), durationMs: Math.round(performance.now() - started) });
      res.status(httpStatus).json(body);
    }
  };
}
