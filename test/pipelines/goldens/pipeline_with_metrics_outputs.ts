// pipeline_with_metrics_outputs.yaml: a task producing a Metrics artifact, once at the top level and
// once inside a static ParallelFor.
import { artifact, definePipeline } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const outputMetrics = lightweightComponent({
  name: 'output_metrics',
  outputs: { metrics: artifact.metrics() },
  source: "def output_metrics(metrics: Output[Metrics]):\n    import random\n    metrics.log_metric('accuracy', random.randint(0, 100))\n",
});

export default definePipeline({ name: 'pipeline-with-metrics-outputs' }, (p) => {
  p.task(outputMetrics);
  p.parallelFor([1, 2], () => {
    p.task(outputMetrics);
  });
});
