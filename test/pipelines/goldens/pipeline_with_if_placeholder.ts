// pipeline_with_if_placeholder.yaml: two optional inputs rendered through IfPresent (Then only; Then + Else);
// only one of them is wired, and pipeline input `input2` is unused.
import { containerComponent, definePipeline, ifPresent, param } from '../../../pipelines/dsl/index.js';

const componentWithOptionalInputs = containerComponent({
  name: 'component_with_optional_inputs',
  inputs: {
    required_input: param.string(),
    optional_input_1: param.string({ optional: true }),
    optional_input_2: param.string({ optional: true }),
  },
  image: 'gcr.io/my-project/my-image',
  args: ({ inputs }) => [
    '--arg0',
    inputs.required_input,
    ifPresent('optional_input_1', { then: ['--arg1', inputs.optional_input_1] }),
    ifPresent('optional_input_2', { then: ['--arg2', inputs.optional_input_2], else: ['--arg3', 'default value'] }),
  ],
});

export default definePipeline(
  {
    name: 'one-step-pipeline-with-if-placeholder',
    inputs: { input0: param.string(), input1: param.string(), input2: param.string() },
  },
  (p, { input0, input1 }) => {
    p.task(componentWithOptionalInputs, { required_input: input0, optional_input_1: input1 });
  },
);
