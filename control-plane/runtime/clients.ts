// The Google clients the control plane uses, each built on first use and kept for the instance's
// life: a request that needs no client loads no client library (cold starts), and later requests
// reuse the connection. Modules are imported lazily for the same reason.
import type { BigQuery } from '@google-cloud/bigquery';
import type { MetricServiceClient } from '@google-cloud/monitoring';
import type { PubSub } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import type { ClientEnvironment } from '../../google-clients/environment.js';
import type { EndpointServiceClient, JobServiceClient, MetadataServiceClient, ModelServiceClient, PipelineServiceClient } from '../../google-clients/vertex.js';

export interface ControlPlaneClients {
  storage(): Promise<Storage>;
  /** Storage with the client's own retries off, for object reads (see google-clients/download-object.ts). */
  mediaStorage(): Promise<Storage>;
  bigquery(): Promise<BigQuery>;
  pubsub(): Promise<PubSub>;
  pipelines(): Promise<PipelineServiceClient>;
  models(): Promise<ModelServiceClient>;
  endpoints(): Promise<EndpointServiceClient>;
  jobs(): Promise<JobServiceClient>;
  /** Vertex ML Metadata: experiments, experiment runs and lineage. */
  metadata(): Promise<MetadataServiceClient>;
  /** Cloud Monitoring: Vertex's serving metrics in, the rollout analysis's measurements out. */
  monitoring(): Promise<MetricServiceClient>;
  close(): Promise<void>;
}

function once<T>(make: () => Promise<T>): { get: () => Promise<T>; made: () => Promise<T> | undefined } {
  let value: Promise<T> | undefined;
  return {
    get: () => {
      value ??= make();
      // A failed construction is retried on the next call rather than cached.
      value.catch(() => (value = undefined));
      return value;
    },
    made: () => value,
  };
}

export function lazyClients(ce: ClientEnvironment, region: string): ControlPlaneClients {
  const vertexOptions = async () => (await import('../../google-clients/vertex.js')).vertexClientOptions(region, ce);
  const storage = once(async () => (await import('../../google-clients/storage.js')).storageClient(ce));
  const mediaStorage = once(async () => (await import('../../google-clients/download-object.js')).mediaReadClient(ce));
  const bigquery = once(async () => (await import('../../google-clients/bigquery.js')).bigQueryClient(ce));
  const pubsub = once(async () => (await import('../../google-clients/pubsub.js')).pubSubClient(ce));
  const pipelines = once(async () => new (await import('../../google-clients/vertex.js')).PipelineServiceClient(await vertexOptions()));
  const models = once(async () => new (await import('../../google-clients/vertex.js')).ModelServiceClient(await vertexOptions()));
  const endpoints = once(async () => new (await import('../../google-clients/vertex.js')).EndpointServiceClient(await vertexOptions()));
  const jobs = once(async () => new (await import('../../google-clients/vertex.js')).JobServiceClient(await vertexOptions()));
  const metadata = once(async () => new (await import('../../google-clients/vertex.js')).MetadataServiceClient(await vertexOptions()));
  const monitoring = once(async () => (await import('../../google-clients/monitoring.js')).metricServiceClient(ce));
  return {
    storage: storage.get,
    mediaStorage: mediaStorage.get,
    bigquery: bigquery.get,
    pubsub: pubsub.get,
    pipelines: pipelines.get,
    models: models.get,
    endpoints: endpoints.get,
    jobs: jobs.get,
    metadata: metadata.get,
    monitoring: monitoring.get,
    close: async () => {
      const closers: Promise<unknown>[] = [];
      const p = pubsub.made();
      if (p) closers.push(p.then((c) => c.close()));
      for (const gax of [pipelines, models, endpoints, jobs, metadata, monitoring]) {
        const made = gax.made();
        if (made) closers.push(made.then((c) => c.close()));
      }
      await Promise.allSettled(closers);
    },
  };
}
