// Short aliases for the generated request/resource interfaces of @google-cloud/aiplatform,
// so builders state exactly the shape the official client accepts.
import type { protos } from '@google-cloud/aiplatform';

type V1 = typeof protos.google.cloud.aiplatform.v1;

export type ICreatePipelineJobRequest = protos.google.cloud.aiplatform.v1.ICreatePipelineJobRequest;
export type IPipelineJob = protos.google.cloud.aiplatform.v1.IPipelineJob;
export type IPipelineTaskDetail = protos.google.cloud.aiplatform.v1.IPipelineTaskDetail;
export type ICreateCustomJobRequest = protos.google.cloud.aiplatform.v1.ICreateCustomJobRequest;
export type ICustomJobSpec = protos.google.cloud.aiplatform.v1.ICustomJobSpec;
export type IWorkerPoolSpec = protos.google.cloud.aiplatform.v1.IWorkerPoolSpec;
export type IMachineSpec = protos.google.cloud.aiplatform.v1.IMachineSpec;
export type IDiskSpec = protos.google.cloud.aiplatform.v1.IDiskSpec;
export type IScheduling = protos.google.cloud.aiplatform.v1.IScheduling;
export type IEnvVar = protos.google.cloud.aiplatform.v1.IEnvVar;
export type ICreateHyperparameterTuningJobRequest = protos.google.cloud.aiplatform.v1.ICreateHyperparameterTuningJobRequest;
export type IStudySpec = protos.google.cloud.aiplatform.v1.IStudySpec;
export type IParameterSpec = protos.google.cloud.aiplatform.v1.StudySpec.IParameterSpec;
export type IConditionalParameterSpec = protos.google.cloud.aiplatform.v1.StudySpec.ParameterSpec.IConditionalParameterSpec;
export type IUploadModelRequest = protos.google.cloud.aiplatform.v1.IUploadModelRequest;
export type IModel = protos.google.cloud.aiplatform.v1.IModel;
export type IModelContainerSpec = protos.google.cloud.aiplatform.v1.IModelContainerSpec;
export type ICreateEndpointRequest = protos.google.cloud.aiplatform.v1.ICreateEndpointRequest;
export type IEndpoint = protos.google.cloud.aiplatform.v1.IEndpoint;
export type IDeployModelRequest = protos.google.cloud.aiplatform.v1.IDeployModelRequest;
export type IDeployedModel = protos.google.cloud.aiplatform.v1.IDeployedModel;
export type IDedicatedResources = protos.google.cloud.aiplatform.v1.IDedicatedResources;
export type IUpdateEndpointRequest = protos.google.cloud.aiplatform.v1.IUpdateEndpointRequest;
export type IUndeployModelRequest = protos.google.cloud.aiplatform.v1.IUndeployModelRequest;
export type IImportModelEvaluationRequest = protos.google.cloud.aiplatform.v1.IImportModelEvaluationRequest;
export type IStruct = protos.google.protobuf.IStruct;
export type IValue = protos.google.protobuf.IValue;
export type IDuration = protos.google.protobuf.IDuration;

/** Names of a generated enum, e.g. `EnumName<V1['AcceleratorType']>`. */
export type EnumName<E> = Extract<keyof E, string>;
export type AcceleratorTypeName = EnumName<V1['AcceleratorType']>;
