// PipelineJobs through the product's request builder and the official Node client: the compiled
// IR runs on the local pipelines engine; state and jobDetail follow the tasks; ids are idempotency
// keys; list filters; cancel; invalid specs are refused at create time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import { compilePipeline } from '../../../pipelines/compiler/index.js';
import { containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
import { buildCreatePipelineJobRequest } from '../../../vertex/requests/pipeline-job.js';
import { PARENT, PROJECT, LOCATION, callError, rest, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';

type IPipelineJob = protos.google.cloud.aiplatform.v1.IPipelineJob;

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex();
});
afterAll(async () => {
  await t.stop();
});

const shout = containerComponent({
  name: 'shout',
  inputs: { text: param.string(), pause: param.string() },
  outputs: { Output: param.string() },
  image: 'alpine',
  command: () => ['sh', '-c', 'sleep "$2"; printf %s "$0" | tr a-z A-Z > "$1"'],
  args: ({ inputs, outputs }) => [inputs.text, outputs.Output, inputs.pause],
});

const pipeline = definePipeline({ name: 'shout-pipeline', inputs: { text: param.string(), pause: param.string() } }, (p, { text, pause }) => {
  const first = p.task(shout, { text, pause });
  p.task(shout, { text: first.output, pause: '0' });
});
const spec = compilePipeline(pipeline);

function request(runKey: string, parameterValues: Record<string, string>) {
  return buildCreatePipelineJobRequest({ project: PROJECT, location: LOCATION, pipelineSpec: spec, runKey, gcsOutputDirectory: 'gs://pipelines/root', parameterValues });
}

async function finished(name: string): Promise<IPipelineJob> {
  return waitFor(async () => (await t.clients.pipelines.getPipelineJob({ name }))[0], (j) => ['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'].includes(String(j.state)), 30_000);
}

describe('pipeline jobs', () => {
  it('runs the compiled pipeline and reports each task in jobDetail', async () => {
    const [job] = await t.clients.pipelines.createPipelineJob(request('run-1', { text: 'hello', pause: '0' }));
    expect(job.name).toMatch(/^projects\/local-project\/locations\/us-central1\/pipelineJobs\/shout-pipeline-/);
    expect(job.state).toBe('PIPELINE_STATE_QUEUED');
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(done.startTime).toBeTruthy();
    expect(done.endTime).toBeTruthy();
    const tasks = done.jobDetail?.taskDetails ?? [];
    const second = tasks.find((task) => task.taskName === 'shout-2');
    expect(second?.state).toBe('SUCCEEDED');
    expect(second?.execution?.metadata?.fields?.['output:Output']?.stringValue).toBe('HELLO');
    expect(done.jobDetail?.pipelineRunContext?.schemaTitle).toBe('system.PipelineRun');
  });

  it('treats pipelineJobId as an idempotency key', async () => {
    const again = await callError(t.clients.pipelines.createPipelineJob(request('run-1', { text: 'hello', pause: '0' })));
    expect(again.code).toBe(6);
  });

  it('cancels a running pipeline', async () => {
    const [job] = await t.clients.pipelines.createPipelineJob(request('slow', { text: 'zzz', pause: '30' }));
    await waitFor(async () => (await t.clients.pipelines.getPipelineJob({ name: job.name! }))[0], (j) => j.state === 'PIPELINE_STATE_RUNNING' && (j.jobDetail?.taskDetails ?? []).some((d) => d.state === 'RUNNING'));
    await t.clients.pipelines.cancelPipelineJob({ name: job.name! });
    const done = await finished(job.name!);
    expect(done.state).toBe('PIPELINE_STATE_CANCELLED');
    const [operation] = await t.clients.pipelines.deletePipelineJob({ name: job.name! });
    await operation.promise();
  });

  it('lists by display name and state', async () => {
    const [succeeded] = await t.clients.pipelines.listPipelineJobs({ parent: PARENT, filter: 'display_name="shout-pipeline" AND state="PIPELINE_STATE_SUCCEEDED"' });
    expect(succeeded).toHaveLength(1);
    const [none] = await t.clients.pipelines.listPipelineJobs({ parent: PARENT, filter: 'state=PIPELINE_STATE_FAILED' });
    expect(none).toEqual([]);
  });

  it('accepts pipelineSpec as plain JSON (REST) and refuses a spec the engine cannot run', async () => {
    const ok = await rest(t.emulator, 'POST', `/v1/${PARENT}/pipelineJobs?pipelineJobId=curl-run`, {
      displayName: 'curl',
      pipelineSpec: spec,
      runtimeConfig: { gcsOutputDirectory: 'gs://pipelines/root', parameterValues: { text: 'x', pause: '0' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.name).toBe(`${PARENT}/pipelineJobs/curl-run`);
    await finished(String(ok.json.name));
    const broken = await rest(t.emulator, 'POST', `/v1/${PARENT}/pipelineJobs`, { displayName: 'broken', pipelineSpec: { pipelineInfo: { name: 'x' }, root: {} }, runtimeConfig: { gcsOutputDirectory: 'gs://pipelines/root' } });
    expect(broken.status).toBe(400);
    expect((broken.json.error as { message: string }).message).toMatch(/pipelineSpec/);
    // The trap in the notes: a plain object as pipelineSpec reaches the server as an empty Struct.
    const plain = await callError(t.clients.pipelines.createPipelineJob({ parent: PARENT, pipelineJob: { displayName: 'plain', pipelineSpec: spec as protos.google.protobuf.IStruct, runtimeConfig: { gcsOutputDirectory: 'gs://pipelines/root' } } }));
    expect(plain.code).toBe(3);
    expect(plain.message).toMatch(/EMPTY Struct: convert it with helpers\.toValue/);
    const badId = await rest(t.emulator, 'POST', `/v1/${PARENT}/pipelineJobs?pipelineJobId=Bad_Id`, { pipelineSpec: spec, runtimeConfig: { gcsOutputDirectory: 'gs://pipelines/root' } });
    expect(badId.status).toBe(400);
  });
});
