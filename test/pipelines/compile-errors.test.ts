import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { ParameterChannel, PipelineBuilder } from '../../pipelines/dsl/index.js';
import { artifact, collected, containerComponent, definePipeline, eq, param } from '../../pipelines/dsl/index.js';

const echo = containerComponent({
  name: 'echo',
  image: 'alpine',
  inputs: { msg: param.string() },
  outputs: { out: param.string() },
  command: ({ inputs, outputs }) => ['sh', '-c', 'echo "$0" | tee "$1"', inputs.msg, outputs.out],
});
const countOp = containerComponent({
  name: 'count',
  image: 'alpine',
  inputs: { n: param.int() },
  command: ({ inputs }) => ['echo', inputs.n],
});
const makeData = containerComponent({ name: 'make_data', image: 'alpine', outputs: { data: artifact.dataset() }, command: () => ['true'] });
const useModel = containerComponent({ name: 'use_model', image: 'alpine', inputs: { model: artifact.model() }, command: () => ['true'] });
const exitOp = containerComponent({ name: 'exit_op', image: 'alpine', inputs: { status: param.taskFinalStatus() }, command: () => ['true'] });

function compileBody(body: (p: PipelineBuilder, inputs: { text: ParameterChannel }) => void, name = 'p') {
  return () => compilePipeline(definePipeline({ name, inputs: { text: param.string() } }, body));
}

describe('compile-time errors name the task and input', () => {
  it('rejects an unknown input with a suggestion', () => {
    expect(compileBody((p) => void p.task(echo, { mgs: 'x' } as never))).toThrow(/task 'echo': unknown input 'mgs' \(did you mean 'msg'\?\)/);
  });

  it('rejects a missing required input', () => {
    expect(compileBody((p) => void p.task(echo, {}))).toThrow(/task 'echo': missing required input 'msg'/);
  });

  it('rejects a parameter type mismatch between an output and an input', () => {
    expect(
      compileBody((p) => {
        const e = p.task(echo, { msg: 'hi' });
        p.task(countOp, { n: e.outputs.out });
      }),
    ).toThrow(/task 'count' input 'n': expects NUMBER_INTEGER, got STRING from 'echo-out'/);
  });

  it('rejects an artifact type mismatch', () => {
    expect(
      compileBody((p) => {
        const d = p.task(makeData);
        p.task(useModel, { model: d.outputs.data });
      }),
    ).toThrow(/task 'use-model' input 'model': expects system.Model, got system.Dataset/);
  });

  it('rejects a constant of the wrong type', () => {
    expect(compileBody((p) => void p.task(countOp, { n: 'three' }))).toThrow(/task 'count' input 'n': expects NUMBER_INTEGER, got "three"/);
  });

  it('rejects a dependency cycle made with after()', () => {
    expect(
      compileBody((p) => {
        const a = p.task(echo, { msg: 'a' });
        const b = p.task(echo, { msg: 'b' }).after(a);
        a.after(b);
      }),
    ).toThrow(/dependency cycle between tasks: .*echo.*echo-2.*echo/);
  });

  it('rejects an exit handler below the top level', () => {
    expect(
      compileBody((p, inputs) => {
        const exit = p.task(exitOp);
        p.if(eq(inputs.text, 'x'), () => p.exitHandler(exit, () => void p.task(echo, { msg: 'in' })));
      }),
    ).toThrow(/ExitHandler can only be used at the top level/);
  });

  it('rejects a task final status input on an ordinary task', () => {
    expect(compileBody((p) => void p.task(exitOp))).toThrow(/task 'exit-op': input 'status' is a task final status/);
  });

  it('rejects pipeline names outside Vertex pattern', () => {
    expect(compileBody((p) => void p.task(echo, { msg: 'x' }), 'My_Pipeline')).toThrow(/pipeline name 'My_Pipeline' must match/);
  });

  it('rejects an accelerator without a count, and a count without a type', () => {
    expect(compileBody((p) => void p.task(echo, { msg: 'x' }).setAcceleratorType('NVIDIA_L4'))).toThrow(
      /task 'echo': accelerator type 'NVIDIA_L4' set without a count/,
    );
    expect(compileBody((p) => void p.task(echo, { msg: 'x' }).setAcceleratorLimit(2))).toThrow(/task 'echo': accelerator count set without an accelerator type/);
  });

  it('rejects malformed cpu and memory values', () => {
    expect(compileBody((p) => void p.task(echo, { msg: 'x' }).setCpuLimit('four'))).toThrow(/task 'echo': CPU 'four'/);
    expect(compileBody((p) => void p.task(echo, { msg: 'x' }).setMemoryLimit('12GB'))).toThrow(/task 'echo': memory '12GB'/);
  });

  it('rejects using a loop output outside the loop without collected()', () => {
    expect(
      compileBody((p) => {
        let inner: ReturnType<typeof p.task<typeof echo>> | undefined;
        p.parallelFor(['a', 'b'], (item) => {
          inner = p.task(echo, { msg: item });
        });
        p.task(echo, { msg: inner!.outputs.out });
      }),
    ).toThrow(/task 'echo-2' uses an output of 'echo' from inside ParallelFor 'for-loop-2'; fan it in with collected\(\)/);
  });

  it('rejects depending on a task inside a condition that does not enclose the consumer', () => {
    expect(
      compileBody((p, inputs) => {
        let inner: ReturnType<typeof p.task<typeof echo>> | undefined;
        p.if(eq(inputs.text, 'go'), () => {
          inner = p.task(echo, { msg: 'x' });
        });
        p.task(echo, { msg: inner!.outputs.out });
      }),
    ).toThrow(/task 'echo-2' depends on 'echo' inside condition 'condition-1'/);
  });

  it('rejects returning a loop output from the pipeline without collected()', () => {
    const bad = definePipeline({ name: 'p' }, (p) => {
      let inner: ReturnType<typeof p.task<typeof echo>> | undefined;
      p.parallelFor([1, 2], () => {
        inner = p.task(echo, { msg: 'x' });
      });
      return { out: inner!.outputs.out };
    });
    expect(() => compilePipeline(bad)).toThrow(/returns 'echo-out' from inside 'for-loop-2'; use collected\(\)/);
  });

  it('accepts the same loop output when it is fanned in', () => {
    const good = definePipeline({ name: 'p' }, (p) => {
      let inner: ReturnType<typeof p.task<typeof echo>> | undefined;
      p.parallelFor([1, 2], () => {
        inner = p.task(echo, { msg: 'x' });
      });
      return { out: collected(inner!.outputs.out) };
    });
    const spec = compilePipeline(good);
    expect(spec.root.outputDefinitions?.parameters?.out?.parameterType).toBe('LIST');
  });
});
