// Conditions, loops with fan-in, sub-pipelines and the importer, on real processes.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArtifactChannel, ParameterChannel } from '../../../pipelines/dsl/index.js';
import { artifact, collected, containerComponent, definePipeline, eq, gt, param } from '../../../pipelines/dsl/index.js';
import { outputParam, runPipeline, sandbox, summary, task, tasksNamed } from './support.js';

const sb = sandbox();
afterAll(() => sb.cleanup());

const echo = containerComponent({
  name: 'echo',
  inputs: { text: param.string() },
  outputs: { Output: param.string() },
  image: 'alpine',
  command: () => ['sh', '-c', 'printf %s "$0" > "$1"'],
  args: ({ inputs, outputs }) => [inputs.text, outputs.Output],
});

describe('conditions', () => {
  const conditional = definePipeline(
    { name: 'conditional', inputs: { flag: param.string(), n: param.int() } },
    (p, { flag, n }) => {
      p.if(eq(flag, 'go'), () => {
        p.task(echo, { text: 'went' });
      });
      p.if(gt(n, 5), () => {
        p.task(echo, { text: 'big' });
      });
      let yes: ParameterChannel | undefined;
      let no: ParameterChannel | undefined;
      p.if(eq(flag, 'go'), () => {
        yes = p.task(echo, { text: 'branch-yes' }).output;
      }).else(() => {
        no = p.task(echo, { text: 'branch-no' }).output;
      });
      const picked = p.task(echo, { text: p.oneOf(yes!, no!) });
      return { picked: picked.output };
    },
  );

  it('runs a true branch, reports a false one NOT_TRIGGERED, and picks the OneOf value of the branch that ran', async () => {
    const { result } = await runPipeline(sb, conditional, { parameterValues: { flag: 'go', n: 3 } });
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(task(result, 'condition-1').state).toBe('SUCCEEDED');
    expect(outputParam(task(result, 'echo'), 'Output')).toBe('went');
    const skipped = task(result, 'condition-2');
    expect(skipped.state).toBe('NOT_TRIGGERED');
    expect(skipped.execution).toBeUndefined();
    // The false branch's tasks are never scheduled, so never reported.
    expect(result.jobDetail.taskDetails.some((t) => t.taskUniqueName.startsWith('condition-2.'))).toBe(false);
    expect(task(result, 'condition-4').state).toBe('SUCCEEDED');
    expect(task(result, 'condition-5').state).toBe('NOT_TRIGGERED');
    expect(task(result, 'conditional').execution?.metadata['output:picked']).toBe('branch-yes');
  });

  it('takes the other branches when the conditions flip', async () => {
    const { result } = await runPipeline(sb, conditional, { parameterValues: { flag: 'stop', n: 9 } });
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_SUCCEEDED');
    expect(task(result, 'condition-1').state).toBe('NOT_TRIGGERED');
    expect(task(result, 'condition-2').state).toBe('SUCCEEDED');
    expect(task(result, 'condition-4').state).toBe('NOT_TRIGGERED');
    expect(task(result, 'conditional').execution?.metadata['output:picked']).toBe('branch-no');
  });
});

describe('ParallelFor', () => {
  const square = containerComponent({
    name: 'square',
    inputs: { num: param.int(), probe: param.string() },
    outputs: { Output: param.int(), data: artifact.dataset() },
    image: 'alpine',
    // Each iteration notes how many iterations are running at the same time.
    command: () => [
      'sh',
      '-c',
      'touch "$1/run.$0"; ls "$1" | grep -c "^run\\." >> "$1/seen.$0"; sleep 0.2; rm "$1/run.$0"; printf %s $(($0 * $0)) > "$2"; printf "%s" "$0" > "$3"',
    ],
    args: ({ inputs, outputs }) => [inputs.num, inputs.probe, outputs.Output, outputs.data.path],
  });
  const sum = containerComponent({
    name: 'sum',
    inputs: { nums: param.list(), files: artifact.dataset({ list: true }) },
    outputs: { total: param.int(), uris: param.string() },
    image: 'alpine',
    command: () => ['sh', '-c', 'echo "$0" | tr -d "[] " | tr "," "\\n" | awk \'{s+=$1} END {printf "%d", s}\' > "$2"; printf %s "$1" > "$3"'],
    args: ({ inputs, outputs }) => [inputs.nums, inputs.files.list, outputs.total, outputs.uris],
  });
  const makeList = containerComponent({
    name: 'make-list',
    outputs: { Output: param.list({ items: 'STRUCT' }) },
    image: 'alpine',
    command: () => ['sh', '-c', 'printf \'[{"who": "ann", "n": 1}, {"who": "bob", "n": 2}]\' > "$0"'],
    args: ({ outputs }) => [outputs.Output],
  });

  const loops = definePipeline({ name: 'loops', inputs: { probe: param.string() } }, (p, { probe }) => {
    let squared: ParameterChannel | undefined;
    let files: ArtifactChannel | undefined;
    p.parallelFor(
      [1, 2, 3, 4],
      (x) => {
        const t = p.task(square, { num: x, probe });
        squared = t.outputs.Output;
        files = t.outputs.data;
      },
      { parallelism: 2 },
    );
    const total = p.task(sum, { nums: collected(squared!), files: collected(files!) });
    const list = p.task(makeList);
    let names: ParameterChannel | undefined;
    p.parallelFor(list.output, (item) => {
      names = p.task(echo, { text: item.field('who') }).output;
    });
    return { total: total.outputs.total, names: collected(names!) };
  });

  it('runs iterations at most `parallelism` at a time and fans their outputs in', async () => {
    const probe = mkdtempSync(join(sb.dir, 'probe-'));
    const { result } = await runPipeline(sb, loops, { parameterValues: { probe }, maxParallel: 4 });
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_SUCCEEDED');
    const seen = readdirSync(probe)
      .filter((f) => f.startsWith('seen.'))
      .map((f) => Number(readFileSync(join(probe, f), 'utf8').trim()));
    expect(seen).toHaveLength(4);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);

    const loop = task(result, 'for-loop-2');
    expect(loop.state).toBe('SUCCEEDED');
    const iterations = result.jobDetail.taskDetails.filter((t) => t.parentTaskId === loop.taskId);
    expect(iterations.map((t) => t.taskName).sort()).toEqual(['iteration-0', 'iteration-1', 'iteration-2', 'iteration-3']);
    expect(tasksNamed(result, 'square')).toHaveLength(4);
    expect(task(result, 'sum').inputs?.files?.artifacts).toHaveLength(4);
    expect(outputParam(task(result, 'sum'), 'total')).toBe(30);
    expect(loop.execution?.metadata['output:pipelinechannel--square-Output']).toEqual([1, 4, 9, 16]);
    const uris = (JSON.parse(outputParam(task(result, 'sum'), 'uris') as string) as { uri: string }[]).map((a) => a.uri);
    expect(uris).toHaveLength(4);
    expect(uris.every((u) => u.startsWith('gs://'))).toBe(true);

    // A loop over a task's list of dicts, reading a field of each item.
    expect(task(result, 'loops').execution?.metadata['output:names']).toEqual(['ann', 'bob']);
    const squareTask = tasksNamed(result, 'square')[0]!;
    expect(squareTask.taskUniqueName).toMatch(/^for-loop-2\.iteration-\d\.square$/);
  });
});

describe('sub-pipelines and the importer', () => {
  const inner = definePipeline({ name: 'inner', inputs: { msg: param.string() } }, (p, { msg }) => {
    const first = p.task(echo, { text: msg });
    const second = p.task(echo, { text: first.output });
    return { Output: second.output };
  });

  const readData = containerComponent({
    name: 'read-data',
    inputs: { data: artifact.dataset() },
    outputs: { content: param.string(), source: param.string() },
    image: 'alpine',
    command: () => ['sh', '-c', 'cat "$0" > "$1"; printf %s "$2" > "$3"'],
    args: ({ inputs, outputs }) => [inputs.data.path, outputs.content, inputs.data.metadataKey('source'), outputs.source],
  });

  const outer = definePipeline({ name: 'outer', inputs: { uri: param.string() } }, (p, { uri }) => {
    const sub = p.task(inner, { msg: 'nested' });
    const after = p.task(echo, { text: sub.outputs.Output });
    const imported = p.importer({ artifactUri: uri, artifactType: artifact.dataset(), metadata: { source: 'upload' } });
    const read = p.task(readData, { data: imported.output });
    return { echoed: after.output, content: read.outputs.content };
  });

  it('runs a pipeline used as a component as a DAG task, and imports an existing object', async () => {
    mkdirSync(join(sb.storageRoot, 'inputs'), { recursive: true });
    writeFileSync(join(sb.storageRoot, 'inputs', 'data.csv'), 'a,b\n1,2\n');
    const { result } = await runPipeline(sb, outer, { parameterValues: { uri: 'gs://inputs/data.csv' } });
    expect(result.state, summary(result)).toBe('PIPELINE_STATE_SUCCEEDED');

    const sub = task(result, 'inner');
    expect(sub.execution?.schemaTitle).toBe('system.DAGExecution');
    expect(outputParam(sub, 'Output')).toBe('nested');
    const children = result.jobDetail.taskDetails.filter((t) => t.parentTaskId === sub.taskId);
    expect(children.map((t) => t.taskUniqueName).sort()).toEqual(['inner.echo', 'inner.echo-2']);
    // Same component, same input: the later echoes are cache hits of the first.
    const outerEcho = result.jobDetail.taskDetails.find((t) => t.taskUniqueName === 'echo');
    expect(outerEcho?.state).toBe('SKIPPED');
    expect(outerEcho?.execution).toMatchObject({ state: 'CACHED', metadata: { 'input:text': 'nested', 'output:Output': 'nested' } });

    const importer = task(result, 'importer');
    expect(importer.execution?.schemaTitle).toBe('system.ImporterExecution');
    expect(importer.outputs?.artifact?.artifacts[0]).toMatchObject({ uri: 'gs://inputs/data.csv', schemaTitle: 'system.Dataset', metadata: { source: 'upload' } });
    expect(outputParam(task(result, 'read-data'), 'content')).toBe('a,b\n1,2\n');
    expect(outputParam(task(result, 'read-data'), 'source')).toBe('upload');
  });
});
