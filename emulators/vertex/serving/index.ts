// Online prediction for the Vertex emulator: deployed models as local model servers.
export { EndpointRuntime } from './endpoint-runtime.js';
export type { DeployedModelInfo, EndpointRuntimeDeps, PredictOptions, PredictResult } from './endpoint-runtime.js';
export { ModelServerStartError } from './model-process.js';
export { BigQueryRequestResponseSink } from './request-logging/bigquery-sink.js';
export type { RequestResponseSink } from './request-logging/bigquery-sink.js';
export { DEFAULT_LOGGING_TABLE, loggingTable } from './request-logging/destination.js';
export type { TableRef } from './request-logging/destination.js';
export { REQUEST_RESPONSE_SCHEMA } from './request-logging/rows.js';
export type { RequestResponseRow } from './request-logging/rows.js';
export { pickDeployedModel } from './traffic.js';
export type { Random } from './traffic.js';
