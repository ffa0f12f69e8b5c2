// Built-in (system) metrics: descriptors Google defines for its own services, which every project
// sees in metricDescriptors.list/get, which users can neither create, change nor delete, and whose
// points only the service itself writes (here: the local Vertex AI, through the internal channel
// in routes/system-time-series.ts). Names, kinds, units and labels follow Google's metrics list
// (cloud.google.com/monitoring/api/metrics_gcp, "aiplatform" section).
import { descriptorName } from './descriptors.js';
import type { LabelDescriptor, MetricDescriptor } from './model.js';

const ENDPOINT = 'aiplatform.googleapis.com/Endpoint';

/** Labels every aiplatform prediction/online metric carries. */
const COMMON: readonly LabelDescriptor[] = [
  { key: 'deployed_model_id', valueType: 'STRING', description: 'The ID of the DeployedModel which serves the prediction request.' },
  { key: 'endpoint_display_name', valueType: 'STRING', description: 'The display name of the endpoint specified by the user.' },
  { key: 'model_display_name', valueType: 'STRING', description: 'The display name of the model specified by the user.' },
  { key: 'spot', valueType: 'STRING', description: 'Whether this deployment is on Spot VMs. Has values of True or False.' },
];

type Template = Omit<MetricDescriptor, 'name'>;

const withLabels = (...extra: LabelDescriptor[]): LabelDescriptor[] => [...COMMON, ...extra].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

const TEMPLATES: readonly Template[] = [
  {
    type: 'aiplatform.googleapis.com/prediction/online/error_count',
    labels: withLabels(),
    metricKind: 'DELTA',
    valueType: 'INT64',
    unit: '1',
    description: 'Number of online prediction errors.',
    displayName: 'Error count',
    launchStage: 'BETA',
    monitoredResourceTypes: [ENDPOINT],
  },
  {
    type: 'aiplatform.googleapis.com/prediction/online/prediction_count',
    labels: withLabels(),
    metricKind: 'DELTA',
    valueType: 'INT64',
    unit: '1',
    description: 'Number of online predictions.',
    displayName: 'Prediction count',
    launchStage: 'BETA',
    monitoredResourceTypes: [ENDPOINT],
  },
  {
    type: 'aiplatform.googleapis.com/prediction/online/prediction_latencies',
    labels: withLabels({
      key: 'latency_type',
      valueType: 'STRING',
      description: 'One of the following "overhead", "model" or "total". The "total" latency type will always be populated.',
    }),
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    unit: 'ms',
    description: 'Online prediction latency of the deployed model.',
    displayName: 'Prediction Latencies',
    launchStage: 'BETA',
    monitoredResourceTypes: [ENDPOINT],
  },
  {
    type: 'aiplatform.googleapis.com/prediction/online/response_count',
    labels: withLabels({ key: 'response_code', valueType: 'STRING', description: 'HTTP response code (1xx, 2xx, 3xx, 4xx, 5xx).' }),
    metricKind: 'DELTA',
    valueType: 'INT64',
    unit: '1',
    description: 'Number of different online prediction response codes.',
    displayName: 'Response count',
    launchStage: 'BETA',
    monitoredResourceTypes: [ENDPOINT],
  },
];

const BY_TYPE = new Map(TEMPLATES.map((t) => [t.type, t]));

/** Domains whose metrics are Google's own: never user-writable, whether or not the emulator defines them. */
export function isSystemMetricType(type: string): boolean {
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com\//.test(type) && !type.startsWith('custom.googleapis.com/') && !type.startsWith('workload.googleapis.com/') && !type.startsWith('external.googleapis.com/');
}

/** The built-in descriptor of `type` as project `project` sees it, or undefined. */
export function systemDescriptor(project: string, type: string): MetricDescriptor | undefined {
  const template = BY_TYPE.get(type);
  return template && { ...structuredClone(template), name: descriptorName(project, type) };
}

/** Every built-in descriptor, sorted by type. */
export function systemDescriptors(project: string): MetricDescriptor[] {
  return TEMPLATES.map((t) => ({ ...structuredClone(t), name: descriptorName(project, t.type) })).sort((a, b) => (a.type < b.type ? -1 : 1));
}
