// pipeline_with_retry.yaml: one task retried up to 3 times (backoff settings left at their defaults).
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const add = lightweightComponent({
  name: 'add',
  inputs: { a: param.double(), b: param.double() },
  outputs: { Output: param.double() },
  source: 'def add(a: float, b: float) -> float:\n    return a + b\n',
});

export default definePipeline(
  { name: 'test-pipeline', inputs: { a: param.double({ default: 1 }), b: param.double({ default: 7 }) } },
  (p, { a, b }) => {
    p.task(add, { a, b }).setRetry({ maxRetryCount: 3 });
  },
);
