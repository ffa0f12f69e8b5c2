import { MetricServiceClient } from '@google-cloud/monitoring';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment, emulatorGaxOptions } from './environment.js';

export function metricServiceClient(ce: ClientEnvironment = clientEnvironment()): MetricServiceClient {
  return new MetricServiceClient(emulatorGaxOptions('MONITORING_EMULATOR_HOST', ce) ?? { projectId: ce.projectId });
}
