// A real PipelineJob on the local Vertex leaves in ML Metadata what Vertex AI Pipelines leaves:
// the `default` store, a system.Pipeline context parent of the run's system.PipelineRun context,
// one execution per task (state and input:/output: parameters as in taskDetails), the tasks'
// artifacts with INPUT/OUTPUT events, all in the run context; read back through MetadataServiceClient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import { compilePipeline } from '../../../pipelines/compiler/index.js';
import { artifact, containerComponent, definePipeline, param, system } from '../../../pipelines/dsl/index.js';
import { buildCreatePipelineJobRequest } from '../../../vertex/requests/pipeline-job.js';
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { LOCATION, PROJECT, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';
import { STORE, metadataClient, plain } from './metadata-support.js';

type IPipelineJob = protos.google.cloud.aiplatform.v1.IPipelineJob;

let t: TestVertex;
let md: MetadataServiceClient;
beforeAll(async () => {
  t = await startTestVertex();
  md = metadataClient(t.emulator.port);
}, 60_000);
afterAll(async () => {
  await md.close();
  await t.stop();
}, 60_000);

const prepare = containerComponent({
  name: 'prepare',
  inputs: { rows: param.int() },
  outputs: { data: artifact.dataset(), count: param.int() },
  image: 'alpine',
  command: () => ['sh', '-c', 'seq "$0" > "$1"; printf %s "$0" > "$2"'],
  args: ({ inputs, outputs }) => [inputs.rows, outputs.data.path, outputs.count],
});

const train = containerComponent({
  name: 'train',
  inputs: { data: artifact.dataset() },
  outputs: { model: artifact.model(), metrics: artifact.metrics() },
  image: 'alpine',
  command: () => ['sh', '-c', 'wc -l < "$0" > "$1"; printf \'{"artifacts": {"metrics": {"artifacts": [{"metadata": {"accuracy": 0.9}}]}}}\' > "$2"'],
  args: ({ inputs, outputs }) => [inputs.data.path, outputs.model.path, system.executorOutputFile],
});

const fail = containerComponent({
  name: 'fail',
  inputs: { data: artifact.dataset() },
  outputs: {},
  image: 'alpine',
  command: () => ['sh', '-c', 'exit 3'],
  args: () => [],
});

const pipeline = definePipeline({ name: 'lineage-pipeline', inputs: { rows: param.int() } }, (p, { rows }) => {
  const data = p.task(prepare, { rows });
  p.task(train, { data: data.outputs.data });
});
const failing = definePipeline({ name: 'lineage-failing', inputs: { rows: param.int() } }, (p, { rows }) => {
  const data = p.task(prepare, { rows });
  p.task(fail, { data: data.outputs.data });
});

async function run(spec: ReturnType<typeof compilePipeline>, runKey: string): Promise<IPipelineJob> {
  const request = buildCreatePipelineJobRequest({ project: PROJECT, location: LOCATION, pipelineSpec: spec, runKey, gcsOutputDirectory: 'gs://pipelines/root', parameterValues: { rows: 4 } });
  const [job] = await t.clients.pipelines.createPipelineJob(request);
  return waitFor(async () => (await t.clients.pipelines.getPipelineJob({ name: job.name! }))[0], (j) => ['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'].includes(String(j.state)), 60_000);
}

describe('pipeline runs in ML Metadata', () => {
  it('records contexts, executions, artifacts and events that match the job detail', async () => {
    const job = await run(compilePipeline(pipeline), 'lineage-1');
    expect(job.state, JSON.stringify(job.error)).toBe('PIPELINE_STATE_SUCCEEDED');
    const jobId = job.name!.split('/').pop()!;
    const detail = job.jobDetail!;

    const [store] = await md.getMetadataStore({ name: STORE });
    expect(store.name).toBe(STORE);
    const [pipelineContext] = await md.getContext({ name: detail.pipelineContext!.name! });
    expect(pipelineContext).toMatchObject({ name: `${STORE}/contexts/lineage-pipeline`, schemaTitle: 'system.Pipeline', displayName: 'lineage-pipeline' });
    const [runContext] = await md.getContext({ name: detail.pipelineRunContext!.name! });
    expect(runContext).toMatchObject({ name: `${STORE}/contexts/${jobId}`, schemaTitle: 'system.PipelineRun', parentContexts: [pipelineContext.name] });
    expect(detail.pipelineRunContext!.parentContexts).toEqual([pipelineContext.name]);
    const [runs] = await md.listContexts({ parent: STORE, filter: `parent_contexts:"${pipelineContext.name!}"` });
    expect(runs.map((c) => c.name)).toEqual([runContext.name]);

    // Every task's execution is in the store as the job detail shows it.
    const tasks = detail.taskDetails ?? [];
    expect(tasks.length).toBe(3);
    const [executions] = await md.listExecutions({ parent: STORE, filter: `in_context("${runContext.name!}")` });
    expect(executions.map((e) => e.name).sort()).toEqual(tasks.map((task) => task.execution!.name).sort());
    for (const task of tasks) {
      const [execution] = await md.getExecution({ name: task.execution!.name! });
      expect(execution).toMatchObject({ displayName: task.execution!.displayName, schemaTitle: task.execution!.schemaTitle, state: 'COMPLETE' });
      expect(plain(execution.metadata)).toEqual(plain(task.execution!.metadata));
    }
    const root = tasks.find((task) => task.taskName === 'lineage-pipeline')!;
    expect(root.execution!.schemaTitle).toBe('system.DAGExecution');
    const [containers] = await md.listExecutions({ parent: STORE, filter: `in_context("${runContext.name!}") AND schema_title="system.ContainerExecution"` });
    expect(containers.map((e) => e.displayName).sort()).toEqual(['prepare', 'train']);

    // Artifacts with their types, uris and metadata; events tie them to the tasks.
    const prepareTask = tasks.find((task) => task.taskName === 'prepare')!;
    const trainTask = tasks.find((task) => task.taskName === 'train')!;
    const dataset = prepareTask.outputs!.data!.artifacts![0]!;
    const model = trainTask.outputs!.model!.artifacts![0]!;
    const metrics = trainTask.outputs!.metrics!.artifacts![0]!;
    expect(trainTask.inputs!.data!.artifacts![0]!.name).toBe(dataset.name);
    const [artifacts] = await md.listArtifacts({ parent: STORE, filter: `in_context("${runContext.name!}")` });
    expect(artifacts.map((a) => a.name).sort()).toEqual([dataset.name, model.name, metrics.name].sort());
    const [storedDataset] = await md.getArtifact({ name: dataset.name! });
    expect(storedDataset).toMatchObject({ schemaTitle: 'system.Dataset', uri: dataset.uri, state: 'LIVE', displayName: 'data' });
    const [storedMetrics] = await md.getArtifact({ name: metrics.name! });
    expect(storedMetrics.schemaTitle).toBe('system.Metrics');
    expect(plain(storedMetrics.metadata)).toEqual({ accuracy: 0.9 });
    const [models] = await md.listArtifacts({ parent: STORE, filter: `schema_title="system.Model" AND uri="${model.uri!}"` });
    expect(models.map((a) => a.name)).toEqual([model.name]);

    const [io] = await md.queryExecutionInputsAndOutputs({ execution: trainTask.execution!.name! });
    const events = (io.events ?? []).map((e) => `${String(e.type)} ${e.artifact!}`).sort();
    expect(events).toEqual([`INPUT ${dataset.name!}`, `OUTPUT ${metrics.name!}`, `OUTPUT ${model.name!}`].sort());

    // The model's lineage reaches back to the dataset and the task that prepared it.
    const [lineage] = await md.queryArtifactLineageSubgraph({ artifact: model.name! });
    expect(lineage.artifacts?.map((a) => a.name).sort()).toEqual([dataset.name, model.name, metrics.name].sort());
    expect(lineage.executions?.map((e) => e.displayName).sort()).toEqual(['prepare', 'train']);

    const [whole] = await md.queryContextLineageSubgraph({ context: runContext.name! });
    expect(whole.executions?.length).toBe(3);
    expect(whole.artifacts?.length).toBe(3);
  }, 120_000);

  it('records a failed task as a FAILED execution, and a second run of a pipeline under the same pipeline context', async () => {
    const job = await run(compilePipeline(failing), 'lineage-fail-1');
    expect(job.state).toBe('PIPELINE_STATE_FAILED');
    const failed = job.jobDetail!.taskDetails!.find((task) => task.taskName === 'fail')!;
    const [execution] = await md.getExecution({ name: failed.execution!.name! });
    expect(execution.state).toBe('FAILED');
    const [root] = await md.getExecution({ name: job.jobDetail!.taskDetails!.find((task) => task.taskName === 'lineage-failing')!.execution!.name! });
    expect(root.state).toBe('FAILED');

    const again = await run(compilePipeline(pipeline), 'lineage-2');
    expect(again.state).toBe('PIPELINE_STATE_SUCCEEDED');
    const [runs] = await md.listContexts({ parent: STORE, filter: `parent_contexts:"${STORE}/contexts/lineage-pipeline" AND schema_title="system.PipelineRun"` });
    expect(runs.length).toBe(2);
    const [failedRuns] = await md.listExecutions({ parent: STORE, filter: 'state=FAILED' });
    expect(failedRuns.map((e) => e.displayName).sort()).toEqual(['fail', 'lineage-failing']);
  }, 120_000);
});
