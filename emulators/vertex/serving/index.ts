// Online prediction for the Vertex emulator: deployed models as local model servers.
export { EndpointRuntime } from './endpoint-runtime.js';
export type { DeployedModelInfo, EndpointRuntimeDeps, PredictOptions, PredictResult } from './endpoint-runtime.js';
export type { RequestResponseSink } from './request-logging/bigquery-sink.js';
export type { TableRef } from './request-logging/destination.js';
export type { RequestResponseRow } from './request-logging/rows.js';
export type { Random } from './traffic.js';
