// checkDrift (HTTP): Cloud Scheduler calls it hourly (the local cloud, faster). One pass over the
// models with a drift policy: feature drift of every serving version against its training baseline
// (written to Cloud Monitoring, where the alert policy acts on it), the champion's performance on
// the actuals and its age (which ask for retrains themselves).
import type { Request, Response } from '@google-cloud/functions-framework';
import { googleError } from '../control-plane/api/google-error.js';
import { checkDrift as checkAll } from '../control-plane/drift/check-drift.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { log } from '../logging/log.js';

/** Cloud Scheduler's scheduled time of this firing (RFC 3339), when it sends one. */
function scheduleTime(req: Request): string | undefined {
  const value = req.get('X-CloudScheduler-ScheduleTime');
  return value !== undefined && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

export async function checkDrift(req: Request, res: Response): Promise<void> {
  const started = performance.now();
  try {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.set('Allow', 'POST, GET');
      res.status(405).json({ error: { code: 405, message: `${req.method} is not allowed; POST (as Cloud Scheduler does) or GET`, status: 'INVALID_ARGUMENT' } });
      return;
    }
    const time = scheduleTime(req);
    const result = await checkAll(controlPlaneFromEnvironment(), time ? { scheduleTime: time } : {});
    // A model that could not be checked: 500 makes Scheduler's retry policy try again soon.
    const status = result.errors.length > 0 ? 500 : 200;
    res.status(status).json(result);
    log(status === 200 ? 'INFO' : 'WARNING', 'checkDrift invocation', {
      function: 'checkDrift', status, models: result.checks.length, errors: result.errors,
      drifted: result.checks.flatMap((c) => c.versions.flatMap((v) => v.drifted.map((f) => `${c.model}@${v.versionId}:${f}`))),
      durationMs: Math.round(performance.now() - started),
    });
  } catch (err) {
    const { httpStatus, body } = googleError(err);
    log('ERROR', 'checkDrift invocation', { function: 'checkDrift', status: httpStatus, error: String((err as Error)?.stack ?? err), durationMs: Math.round(performance.now() - started) });
    res.status(httpStatus).json(body);
  }
}
