import { CloudSchedulerClient } from '@google-cloud/scheduler';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment, emulatorGaxOptions } from './environment.js';

/** Cloud Scheduler; `CLOUD_SCHEDULER_EMULATOR_HOST` (our convention) sends it to the local emulator over REST. */
export function cloudSchedulerClient(ce: ClientEnvironment = clientEnvironment()): CloudSchedulerClient {
  return new CloudSchedulerClient(emulatorGaxOptions('CLOUD_SCHEDULER_EMULATOR_HOST', ce) ?? { projectId: ce.projectId });
}
