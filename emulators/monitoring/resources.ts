// Monitored resource types the emulator knows, with their labels: Google's list of those
// user-defined metrics may be written against (monitoring/custom-metrics: "Monitored resources for
// user-defined metrics"), plus aiplatform.googleapis.com/Endpoint, which only the built-in Vertex AI
// metrics use (Google refuses it for user-defined metrics).

export interface ResourceType {
  type: string;
  displayName: string;
  description: string;
  labels: readonly string[];
  /** The label that names the project; filled from the request's project when omitted. */
  projectLabel: string;
  /** False for resources only Google's own (system) metrics are written against. */
  userMetrics?: false;
}

const RESOURCE_TYPES: readonly ResourceType[] = [
  { type: 'global', displayName: 'Global', description: 'A global, non-specific resource.', labels: ['project_id'], projectLabel: 'project_id' },
  {
    type: 'generic_task',
    displayName: 'Generic Task',
    description: 'A generic task identifies an application process for which no more specific resource is applicable.',
    labels: ['project_id', 'location', 'namespace', 'job', 'task_id'],
    projectLabel: 'project_id',
  },
  {
    type: 'generic_node',
    displayName: 'Generic Node',
    description: 'A generic node identifies a machine or other computational resource for which no more specific resource type is applicable.',
    labels: ['project_id', 'location', 'namespace', 'node_id'],
    projectLabel: 'project_id',
  },
  { type: 'gce_instance', displayName: 'VM Instance', description: 'A virtual machine instance hosted in Compute Engine.', labels: ['project_id', 'instance_id', 'zone'], projectLabel: 'project_id' },
  { type: 'k8s_cluster', displayName: 'Kubernetes Cluster', description: 'A Kubernetes cluster.', labels: ['project_id', 'location', 'cluster_name'], projectLabel: 'project_id' },
  { type: 'k8s_node', displayName: 'Kubernetes Node', description: 'A Kubernetes node.', labels: ['project_id', 'location', 'cluster_name', 'node_name'], projectLabel: 'project_id' },
  { type: 'k8s_pod', displayName: 'Kubernetes Pod', description: 'A Kubernetes pod.', labels: ['project_id', 'location', 'cluster_name', 'namespace_name', 'pod_name'], projectLabel: 'project_id' },
  {
    type: 'k8s_container',
    displayName: 'Kubernetes Container',
    description: 'A Kubernetes container instance.',
    labels: ['project_id', 'location', 'cluster_name', 'namespace_name', 'pod_name', 'container_name'],
    projectLabel: 'project_id',
  },
  {
    type: 'k8s_service',
    displayName: 'Kubernetes Service',
    description: 'A Kubernetes service.',
    labels: ['project_id', 'location', 'cluster_name', 'namespace_name', 'service_name'],
    projectLabel: 'project_id',
  },
  { type: 'gae_instance', displayName: 'GAE Instance', description: 'An App Engine instance.', labels: ['project_id', 'module_id', 'version_id', 'instance_id', 'location'], projectLabel: 'project_id' },
  { type: 'dataflow_job', displayName: 'Dataflow Job', description: 'A Dataflow job.', labels: ['project_id', 'job_name', 'region'], projectLabel: 'project_id' },
  { type: 'aws_ec2_instance', displayName: 'Amazon EC2 Instance', description: 'A VM instance in Amazon EC2.', labels: ['project_id', 'instance_id', 'region', 'aws_account'], projectLabel: 'project_id' },
  {
    type: 'prometheus_target',
    displayName: 'Prometheus Target',
    description: 'A Prometheus scrape target.',
    labels: ['project_id', 'location', 'cluster', 'namespace', 'job', 'instance'],
    projectLabel: 'project_id',
  },
  {
    type: 'aiplatform.googleapis.com/Endpoint',
    displayName: 'Vertex AI Endpoint',
    description: 'A Vertex AI API Endpoint where Models are deployed into it.',
    labels: ['resource_container', 'location', 'endpoint_id'],
    projectLabel: 'resource_container',
    userMetrics: false,
  },
];

const BY_TYPE = new Map(RESOURCE_TYPES.map((r) => [r.type, r]));

export function listResourceTypes(): readonly ResourceType[] {
  return RESOURCE_TYPES;
}

/** The types a user-defined metric may be written against (and a new descriptor lists by default). */
export function userMetricResourceTypes(): readonly ResourceType[] {
  return RESOURCE_TYPES.filter((r) => r.userMetrics !== false);
}

export function findResourceType(type: string): ResourceType | undefined {
  return BY_TYPE.get(type);
}

export type ResourceCheck = { ok: true; labels: Record<string, string> } | { ok: false; message: string };

/**
 * Checks a resource's labels against its type, filling the project label from the request.
 * `systemMetric`: the point belongs to a built-in metric, which may use any known resource type.
 */
export function checkResource(type: string, labels: Readonly<Record<string, string>>, project: string, systemMetric = false): ResourceCheck {
  const def = BY_TYPE.get(type);
  if (!def || (!systemMetric && def.userMetrics === false)) {
    return { ok: false, message: `Unrecognized or unsupported monitored resource type "${type}" for user-defined metrics.` };
  }
  const unknown = Object.keys(labels).filter((k) => !def.labels.includes(k));
  if (unknown.length > 0) {
    return { ok: false, message: `Unrecognized resource label${unknown.length > 1 ? 's' : ''} for resource type ${type}: (${unknown.join(' ')}).` };
  }
  const filled = { ...labels };
  if (filled[def.projectLabel] === undefined) filled[def.projectLabel] = project;
  const missing = def.labels.filter((k) => filled[k] === undefined);
  if (missing.length > 0) {
    return { ok: false, message: `The set of resource labels is incomplete. Missing labels: (${missing.join(' ')}).` };
  }
  return { ok: true, labels: filled };
}
