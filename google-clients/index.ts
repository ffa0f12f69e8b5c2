// Every Google client is built in this folder, and only here. Each honours Google's `*_EMULATOR_HOST`
// convention (and ours: VERTEX_EMULATOR_HOST, MONITORING_EMULATOR_HOST, CLOUD_SCHEDULER_EMULATOR_HOST);
// nothing else in the control plane knows whether it talks to Google Cloud or to the local cloud.
// One module per client library, so a caller can import just the one it needs (cold starts); this
// barrel is for callers that do not care.
export * from './environment.js';
export * from './storage.js';
export * from './bigquery.js';
export * from './pubsub.js';
export * from './monitoring.js';
export * from './vertex.js';
export * from './scheduler.js';
