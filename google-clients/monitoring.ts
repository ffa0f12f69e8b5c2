import { AlertPolicyServiceClient, MetricServiceClient, NotificationChannelServiceClient } from '@google-cloud/monitoring';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment, emulatorGaxOptions } from './environment.js';

export function metricServiceClient(ce: ClientEnvironment = clientEnvironment()): MetricServiceClient {
  return new MetricServiceClient(emulatorGaxOptions('MONITORING_EMULATOR_HOST', ce) ?? { projectId: ce.projectId });
}

export function alertPolicyServiceClient(ce: ClientEnvironment = clientEnvironment()): AlertPolicyServiceClient {
  return new AlertPolicyServiceClient(emulatorGaxOptions('MONITORING_EMULATOR_HOST', ce) ?? { projectId: ce.projectId });
}

export function notificationChannelServiceClient(ce: ClientEnvironment = clientEnvironment()): NotificationChannelServiceClient {
  return new NotificationChannelServiceClient(emulatorGaxOptions('MONITORING_EMULATOR_HOST', ce) ?? { projectId: ce.projectId });
}
