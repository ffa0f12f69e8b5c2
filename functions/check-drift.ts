// checkDrift (HTTP): Cloud Scheduler calls it hourly (the local cloud, faster). One pass over the
// models with a drift policy: feature drift of every serving version against its training baseline
// (written to Cloud Monitoring, where the alert policy acts on it), the champion's performance on
// the actuals and its age (which ask for retrains themselves).
import type { Request } from '@google-cloud/functions-framework';
import { checkDrift as checkAll } from '../control-plane/drift/check-drift.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { scheduledFunction } from './scheduled-function.js';

/** Cloud Scheduler's scheduled time of this firing (RFC 3339), when it sends one. */
function scheduleTime(req: Request): string | undefined {
  const value = req.get('X-CloudScheduler-ScheduleTime');
  return value !== undefined && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

export const checkDrift = scheduledFunction(
  'checkDrift',
  (req) => {
    const time = scheduleTime(req);
    return checkAll(controlPlaneFromEnvironment(), time ? { scheduleTime: time } : {});
  },
  (result) => ({
    models: result.checks.length,
    errors: result.errors,
    drifted: result.checks.flatMap((c) => c.versions.flatMap((v) => v.drifted.map((f) => `${c.model}@${v.versionId}:${f}`))),
  }),
);
