// Vertex AI clients. Each service client is imported from its own module of
// @google-cloud/aiplatform: the package's root loads every v1 and v1beta1 client (about 1 s),
// which a function that needs one service would pay at every cold start.
import { EndpointServiceClient } from '@google-cloud/aiplatform/build/src/v1/endpoint_service_client.js';
import { JobServiceClient } from '@google-cloud/aiplatform/build/src/v1/job_service_client.js';
import { MetadataServiceClient } from '@google-cloud/aiplatform/build/src/v1/metadata_service_client.js';
import { ModelServiceClient } from '@google-cloud/aiplatform/build/src/v1/model_service_client.js';
import { PipelineServiceClient } from '@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js';
import { PredictionServiceClient } from '@google-cloud/aiplatform/build/src/v1/prediction_service_client.js';
import { VizierServiceClient } from '@google-cloud/aiplatform/build/src/v1/vizier_service_client.js';
import type { ClientEnvironment, GaxOptions } from './environment.js';
import { clientEnvironment, emulatorGaxOptions } from './environment.js';

/** Options for any regional Vertex AI client: `<region>-aiplatform.googleapis.com`, or the emulator. */
export function vertexClientOptions(region: string, ce: ClientEnvironment = clientEnvironment()): GaxOptions {
  return emulatorGaxOptions('VERTEX_EMULATOR_HOST', ce) ?? { apiEndpoint: `${region}-aiplatform.googleapis.com`, projectId: ce.projectId };
}

export function vertexClients(region: string, ce: ClientEnvironment = clientEnvironment()) {
  const options = vertexClientOptions(region, ce);
  return {
    pipelines: new PipelineServiceClient(options),
    jobs: new JobServiceClient(options),
    models: new ModelServiceClient(options),
    endpoints: new EndpointServiceClient(options),
    predictions: new PredictionServiceClient(options),
    vizier: new VizierServiceClient(options),
    metadata: new MetadataServiceClient(options),
  };
}

export type VertexClients = ReturnType<typeof vertexClients>;
export { EndpointServiceClient, JobServiceClient, MetadataServiceClient, ModelServiceClient, PipelineServiceClient, PredictionServiceClient, VizierServiceClient };
