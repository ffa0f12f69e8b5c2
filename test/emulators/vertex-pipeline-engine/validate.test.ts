import { describe, expect, it } from 'vitest';
import { validatePipelineJob } from '../../../emulators/vertex/pipeline-engine/validate.js';
import { InvalidPipelineJobError } from '../../../emulators/vertex/pipeline-engine/errors.js';
import { compilePipeline } from '../../../pipelines/compiler/index.js';
import { containerComponent, definePipeline, eq, param } from '../../../pipelines/dsl/index.js';
import type { PipelineSpec } from '../../../pipelines/ir/index.js';
import { jobFor } from './support.js';

const echo = containerComponent({ name: 'echo', inputs: { text: param.string() }, image: 'alpine', command: ({ inputs }) => ['echo', inputs.text] });
const pipeline = definePipeline({ name: 'checked', inputs: { x: param.string({ default: 'a' }) } }, (p, { x }) => {
  const first = p.task(echo, { text: x });
  p.if(eq(x, 'a'), () => {
    p.task(echo, { text: 'in' });
  });
  p.task(echo, { text: 'after' }).after(first);
});

/** A freshly compiled spec, for editing. */
function spec(): PipelineSpec {
  return compilePipeline(pipeline);
}

describe('validatePipelineJob', () => {
  it('accepts a compiled pipeline and applies parameter defaults', () => {
    const valid = validatePipelineJob(jobFor(spec()));
    expect(valid).toMatchObject({ project: 'test-project', location: 'us-central1', pipelineRoot: 'gs://pipeline-bucket/root', failFast: false });
    expect(valid.parameters.get('x')).toBe('a');
  });

  it('rejects broken references, cycles, CEL outside the subset and bad runtime config', () => {
    const reject = (edit: (s: ReturnType<typeof spec>) => void, pattern: RegExp, job?: (j: ReturnType<typeof jobFor>) => void) => {
      const s = spec();
      edit(s);
      const j = jobFor(s);
      job?.(j);
      expect(() => validatePipelineJob(j)).toThrow(InvalidPipelineJobError);
      expect(() => validatePipelineJob(j)).toThrow(pattern);
    };
    reject((s) => (s.root.dag!.tasks['echo']!.componentRef = { name: 'comp-missing' }), /component 'comp-missing' not found/);
    reject((s) => (s.root.dag!.tasks['echo']!.dependentTasks = ['echo-3']), /cycle: /);
    reject((s) => (s.root.dag!.tasks['echo-3']!.dependentTasks = ['nope']), /dependent task 'nope' is not a task of the same DAG/);
    reject((s) => (s.root.dag!.tasks['condition-1']!.triggerPolicy = { condition: "size(inputs.parameter_values['x']) > 0" }), /unsupported function 'size'/);
    reject((s) => delete s.root.dag, /root has no dag|tasks/);
    reject(() => {}, /not a gs:\/\/ URI/, (j) => (j.runtimeConfig.gcsOutputDirectory = '/local/dir'));
    reject(() => {}, /Invalid PipelineJob name/, (j) => (j.name = 'pipelineJobs/x'));
  });
});
