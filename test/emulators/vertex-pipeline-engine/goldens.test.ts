// KFP's golden pipelines (our DSL re-creations) whose executors are container components, run end
// to end. Images the goldens invent (gcr.io/my-project/...) get a test-only mapping to `echo`, so
// their resolved command lines land in the task logs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goldenDefinitions } from '../../pipelines/golden-definitions.js';
import type { Run } from './support.js';
import { runPipeline, sandbox, summary, task, testImageMap } from './support.js';

const sb = sandbox({
  imageMap: testImageMap([{ pattern: 'gcr.io/my-project/*', run: 'exec', entrypoint: ['echo'], description: 'test: print the arguments' }]),
});
afterAll(() => sb.cleanup());

function golden(name: string) {
  const definition = goldenDefinitions[name];
  if (!definition) throw new Error(`no golden ${name}`);
  return definition;
}

function log(run: Run, taskUniqueName: string): string {
  return readFileSync(join(sb.logDir, run.job.name.split('/').pop()!, `${taskUniqueName}.log`), 'utf8');
}

describe('golden pipelines, executed', () => {
  it('two_step_pipeline_containerized: a Dataset written by one container is read by the next', async () => {
    const run = await runPipeline(sb, golden('two_step_pipeline_containerized'), { parameterValues: { text: 'Hello from the golden' } });
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    const dataset = task(run.result, 'component1').outputs?.output_gcs?.artifacts[0];
    expect(dataset?.schemaTitle).toBe('system.Dataset');
    expect(task(run.result, 'component2').inputs?.input_gcs?.artifacts[0]?.uri).toBe(dataset?.uri);
    expect(log(run, 'component2')).toContain('Hello from the golden');
  });

  it('pipeline_with_after: tasks ordered only by .after() run in that order', async () => {
    const run = await runPipeline(sb, golden('pipeline_with_after'));
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    const [t1, t2, t3] = ['print-text', 'print-text-2', 'print-text-3'].map((n) => task(run.result, n));
    expect(Date.parse(t2!.startTime!)).toBeGreaterThanOrEqual(Date.parse(t1!.endTime!));
    expect(Date.parse(t3!.startTime!)).toBeGreaterThanOrEqual(Math.max(Date.parse(t1!.endTime!), Date.parse(t2!.endTime!)));
    expect(log(run, 'print-text-3')).toContain('3rd task');
  });

  it('pipeline_with_concat_placeholder: a Concat of an input and a literal is one argument', async () => {
    const run = await runPipeline(sb, golden('pipeline_with_concat_placeholder'));
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(log(run, 'component-with-concat-placeholder')).toContain('--arg0 some prefix:some value\n');
  });

  it('pipeline_with_if_placeholder: IfPresent keeps the wired optional input and takes Else for the other', async () => {
    const run = await runPipeline(sb, golden('pipeline_with_if_placeholder'), { parameterValues: { input0: 'zero', input1: 'one', input2: 'two' } });
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(log(run, 'component-with-optional-inputs')).toContain('--arg0 zero --arg1 one --arg3 default value\n');
  });

  it('container_component_with_no_inputs: a python image running a plain command', async () => {
    const run = await runPipeline(sb, golden('container_component_with_no_inputs'));
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(log(run, 'hello-world-container')).toContain('hello world');
  });

  it('pipeline_with_task_final_status_yaml: the exit task receives the handler status after success', async () => {
    const run = await runPipeline(sb, golden('pipeline_with_task_final_status_yaml'));
    expect(run.result.state, summary(run.result)).toBe('PIPELINE_STATE_SUCCEEDED');
    const printed = log(run, 'exit-op');
    const status = JSON.parse(printed.slice(printed.indexOf('pipeline status: ') + 'pipeline status: '.length)) as Record<string, unknown>;
    expect(status).toEqual({ state: 'SUCCEEDED', error: {}, pipelineJobResourceName: run.job.name, pipelineTaskName: 'my-pipeline' });
    expect(log(run, 'my-pipeline.print-op')).toContain('Hello World!');
  });
});
