// Public surface of the Vertex AI request builders and the proto validator.
export { assertValidRequest, formatIssue, ProtoValidationError, resolveMessageType, validateRequest } from './validation/proto-validator.js';
export type { IssueCode, ValidationIssue } from './validation/proto-validator.js';

export { VertexRequestError } from './shared/errors.js';
export { durationSeconds, toDuration } from './shared/duration.js';
export type { DurationInput } from './shared/duration.js';
export { toLabelValue, validateLabels } from './shared/labels.js';
export { buildMachineSpec } from './shared/machine-spec.js';
export type { MachineSpecInput } from './shared/machine-spec.js';
export {
  endpointName,
  locationName,
  modelName,
  parseEndpointName,
  parseLocationName,
  parseModelName,
  parseResourceName,
  resourceName,
} from './shared/resource-names.js';
export type { LocationRef, ModelRef, ResourceRef } from './shared/resource-names.js';
export { fromProtoValue, fromStruct, toProtoValue, toStruct, toValueMap } from './shared/struct.js';
export type { JsonObject, JsonValue } from './shared/struct.js';

export * from './requests/pipeline-job.js';
export * from './requests/custom-job.js';
export * from './requests/custom-job-presets.js';
export * from './requests/hyperparameter-tuning-job.js';
export * from './requests/prebuilt-containers.js';
export * from './requests/upload-model.js';
export * from './requests/endpoint.js';
export * from './requests/deploy-model.js';
export * from './requests/traffic-split.js';
export * from './requests/undeploy-model.js';
export * from './requests/import-model-evaluation.js';
