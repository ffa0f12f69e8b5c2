// A compiled pipeline becomes a CreatePipelineJobRequest that passes the strict proto validator.
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { containerComponent, definePipeline } from '../../pipelines/dsl/index.js';
import { projectPipelines } from '../../pipelines/definitions/index.js';
import { buildCreatePipelineJobRequest } from '../../vertex/requests/pipeline-job.js';
import { fromStruct } from '../../vertex/shared/struct.js';
import { assertValidRequest } from '../../vertex/validation/proto-validator.js';

describe('compiled pipelines submit as PipelineJobs', () => {
  it.each(projectPipelines().map((d) => [d.name, d] as const))('%s builds a valid CreatePipelineJobRequest', (_name, definition) => {
    const spec = compilePipeline(definition);
    const request = buildCreatePipelineJobRequest({
      project: 'my-project',
      location: 'us-central1',
      pipelineSpec: spec,
      runKey: '2026-11-22',
      gcsOutputDirectory: 'gs://my-bucket/pipeline-root',
      parameterValues: {
        training_data_uri: 'gs://my-bucket/snapshots/flights.parquet',
        target_column: 'delay',
        ...('project' in definition.inputs ? { project: 'my-project' } : {}),
        ...(definition.name === 'evaluation-pipeline' ? { candidate_model_uri: 'gs://my-bucket/models/3' } : {}),
      },
    });
    expect(() => assertValidRequest('CreatePipelineJobRequest', request)).not.toThrow();
    // The spec survives the Struct conversion intact.
    expect(fromStruct(request.pipelineJob!.pipelineSpec)).toEqual(spec);
  });

  it('rejects an accelerator type Vertex does not know', () => {
    const gpuOp = containerComponent({ name: 'gpu_op', image: 'alpine', command: () => ['true'] });
    const bad = definePipeline({ name: 'gpu-pipeline' }, (p) => void p.task(gpuOp).setAcceleratorType('NVIDIA_TESLA_T5').setAcceleratorLimit(1));
    const spec = compilePipeline(bad);
    expect(() =>
      buildCreatePipelineJobRequest({ project: 'my-project', location: 'us-central1', pipelineSpec: spec, runKey: 'r', gcsOutputDirectory: 'gs://my-bucket/root' }),
    ).toThrow(/executors\.exec-gpu-op\.container\.resources\.accelerator.*'NVIDIA_TESLA_T5' is not a Vertex AcceleratorType; did you mean `NVIDIA_TESLA_T4`/);
  });
});
