// Small but realistic inputs shared by the vertex tests.
import type { ReplicaInput } from '../../vertex/requests/custom-job.js';
import type { PipelineSpec } from '../../pipelines/ir/index.js';

/** Shape of a KFP v2 compiled pipeline (IR) with three root parameters. */
export function compiledPipeline(): PipelineSpec {
  return {
    pipelineInfo: { name: 'churn-train-eval' },
    schemaVersion: '2.1.0',
    sdkVersion: 'kfp-2.7.0',
    root: {
      inputDefinitions: {
        parameters: {
          learning_rate: { parameterType: 'NUMBER_DOUBLE' },
          epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 10 },
          dataset_uri: { parameterType: 'STRING' },
        },
      },
      dag: {
        tasks: {
          train: {
            taskInfo: { name: 'train' },
            componentRef: { name: 'comp-train' },
            inputs: { parameters: { lr: { componentInputParameter: 'learning_rate' } } },
          },
        },
      },
    },
    components: { 'comp-train': { executorLabel: 'exec-train', inputDefinitions: { parameters: { lr: { parameterType: 'NUMBER_DOUBLE' } } } } },
    deploymentSpec: {
      executors: {
        'exec-train': {
          container: { image: 'python:3.11', command: ['python', '-m', 'trainer'], args: ['--lr', "{{$.inputs.parameters['lr']}}"] },
        },
      },
    },
  };
}

export const TRAINER_IMAGE = 'us-central1-docker.pkg.dev/mlops-demo/training/trainer:1.4.0';

export function cpuReplica(): ReplicaInput {
  return { machine: { machineType: 'n1-standard-8' }, task: { container: { imageUri: TRAINER_IMAGE, args: ['--epochs=3'] } } };
}

export function t4Replica(count = 1): ReplicaInput {
  return {
    machine: { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: count },
    task: { container: { imageUri: TRAINER_IMAGE, env: { NCCL_DEBUG: 'INFO' } } },
  };
}
