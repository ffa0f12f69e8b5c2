// Parameters, artifacts, the executor contract and the job detail's shape, on real processes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { artifact, containerComponent, definePipeline, param, system } from '../../../pipelines/dsl/index.js';
import { BUCKET, LOCATION, outputParam, PROJECT, runPipeline, sandbox, summary, task } from './support.js';

const sb = sandbox();
afterAll(() => sb.cleanup());

const produce = containerComponent({
  name: 'produce',
  inputs: { text: param.string(), times: param.int() },
  outputs: { data: artifact.dataset(), count: param.int(), label: param.string() },
  image: 'alpine',
  command: () => ['sh', '-c', 'for i in $(seq "$1"); do echo "$0"; done > "$2"; printf %s "$1" > "$3"; printf "lbl-%s" "$0" > "$4"'],
  args: ({ inputs, outputs }) => [inputs.text, inputs.times, outputs.data.path, outputs.count, outputs.label],
});

const consume = containerComponent({
  name: 'consume',
  inputs: { data: artifact.dataset(), count: param.int(), label: param.string() },
  outputs: { summary: param.string() },
  image: 'alpine',
  command: () => ['sh', '-c', 'printf "%s:%s:%s" "$(wc -l < "$0" | tr -d " ")" "$1" "$2" > "$3"'],
  args: ({ inputs, outputs }) => [inputs.data.path, inputs.count, inputs.label, outputs.summary],
});

/** Writes an ExecutorOutput (parameter value + artifact metadata) and echoes its ExecutorInput. */
const report = containerComponent({
  name: 'report',
  inputs: { data: artifact.dataset() },
  outputs: { metrics: artifact.metrics(), score: param.double(), seen: param.string(), where: param.string() },
  image: 'alpine',
  command: () => [
    'sh',
    '-c',
    'printf \'{"parameterValues": {"score": 0.75}, "artifacts": {"metrics": {"artifacts": [{"metadata": {"accuracy": 0.9}}]}}}\' > "$0"; printf %s "$1" > "$2"; printf %s "$3" > "$4"',
  ],
  args: ({ outputs }) => [
    system.executorOutputFile,
    system.executorInput,
    outputs.seen,
    `${system.pipelineJobName}/${system.pipelineTaskName}/${system.pipelineRoot}`,
    outputs.where,
  ],
});

const dataFlow = definePipeline(
  { name: 'data-flow', inputs: { text: param.string(), times: param.int({ default: 3 }) } },
  (p, { text, times }) => {
    const a = p.task(produce, { text, times });
    const b = p.task(consume, { data: a.outputs.data, count: a.outputs.count, label: a.outputs.label });
    p.task(report, { data: a.outputs.data });
    return { summary: b.outputs.summary };
  },
);

describe('data flow', () => {
  it('passes parameters and artifacts between containers and reports them as Vertex does', async () => {
    const { job, result, updates } = await runPipeline(sb, dataFlow, { parameterValues: { text: 'hi' } });
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_SUCCEEDED');
    const jobId = job.name.split('/').pop()!;

    const root = task(result, 'data-flow');
    expect(root.parentTaskId).toBeUndefined();
    expect(root.execution?.schemaTitle).toBe('system.DAGExecution');
    expect(root.execution?.metadata).toEqual({ 'input:text': 'hi', 'input:times': 3, 'output:summary': '3:3:lbl-hi' });

    const produced = task(result, 'produce');
    expect(produced).toMatchObject({ parentTaskId: root.taskId, taskUniqueName: 'produce', state: 'SUCCEEDED' });
    expect(produced.taskId).toMatch(/^\d+$/);
    for (const time of [produced.createTime, produced.startTime, produced.endTime]) expect(Date.parse(time!)).not.toBeNaN();
    expect(produced.execution).toMatchObject({
      name: `projects/${PROJECT}/locations/${LOCATION}/metadataStores/default/executions/${produced.taskId}`,
      state: 'COMPLETE',
      schemaTitle: 'system.ContainerExecution',
      metadata: { 'input:text': 'hi', 'input:times': 3, 'output:count': 3, 'output:label': 'lbl-hi' },
    });
    expect(produced.pipelineTaskStatus.map((s) => s.state)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    const data = produced.outputs?.data?.artifacts[0];
    expect(data).toMatchObject({ displayName: 'data', schemaTitle: 'system.Dataset', schemaVersion: '0.0.1', state: 'LIVE', metadata: {} });
    expect(data?.uri).toMatch(new RegExp(`^gs://${BUCKET}/root/${jobId}/produce_[0-9a-f-]{36}/data$`));
    expect(readFileSync(join(sb.storageRoot, data!.uri.slice('gs://'.length)), 'utf8')).toBe('hi\nhi\nhi\n');

    const consumed = task(result, 'consume');
    expect(consumed.inputs?.data?.artifacts[0]?.uri).toBe(data?.uri);
    expect(outputParam(consumed, 'summary')).toBe('3:3:lbl-hi');

    const reported = task(result, 'report');
    expect(outputParam(reported, 'score')).toBe(0.75);
    expect(reported.outputs?.metrics?.artifacts[0]?.metadata).toEqual({ accuracy: 0.9 });
    expect(outputParam(reported, 'where')).toBe(`${jobId}/report/gs://${BUCKET}/root`);
    const executorInput = JSON.parse(outputParam(reported, 'seen') as string) as {
      inputs: { artifacts: { data: { artifacts: { uri: string; type: { schemaTitle: string } }[] } } };
      outputs: { parameters: Record<string, { outputFile: string }>; artifacts: { metrics: { artifacts: { uri: string }[] } }; outputFile: string };
    };
    expect(executorInput.inputs.artifacts.data.artifacts[0]).toMatchObject({ uri: data?.uri, type: { schemaTitle: 'system.Dataset' } });
    expect(Object.keys(executorInput.outputs.parameters).sort()).toEqual(['score', 'seen', 'where']);
    expect(executorInput.outputs.artifacts.metrics.artifacts[0]?.uri).toMatch(/\/report_[0-9a-f-]{36}\/metrics$/);
    expect(executorInput.outputs.outputFile.startsWith(sb.storageRoot)).toBe(true);

    expect(existsSync(join(sb.logDir, jobId, 'produce.log'))).toBe(true);
    expect(result.jobDetail.pipelineContext).toMatchObject({ displayName: 'data-flow', schemaTitle: 'system.Pipeline' });
    expect(result.jobDetail.pipelineRunContext).toMatchObject({ displayName: jobId, schemaTitle: 'system.PipelineRun' });
    // Every update is a whole snapshot; the last one carries the final state.
    expect(updates.length).toBeGreaterThan(6);
    expect(updates.at(-1)?.state).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(updates.at(-1)?.jobDetail).toEqual(result.jobDetail);
  });

  it('fails a job whose parameters do not fit the pipeline before running anything', async () => {
    const missing = await runPipeline(sb, dataFlow, { parameterValues: {} });
    expect(missing.result).toMatchObject({ state: 'PIPELINE_STATE_FAILED', error: { code: 3 } });
    expect(missing.result.error?.message).toMatch(/pipeline parameter text is required/);
    expect(missing.result.jobDetail.taskDetails).toEqual([]);
    const unknown = await runPipeline(sb, dataFlow, { parameterValues: { text: 'x', nope: 1 } });
    expect(unknown.result.error?.message).toMatch(/parameter nope is not found/);
    const badType = await runPipeline(sb, dataFlow, { parameterValues: { text: 'x', times: 'many' } });
    expect(badType.result.error?.message).toMatch(/times expects NUMBER_INTEGER/);
  });
});
