// pipeline_with_env.yaml: a lightweight task given ENV1 by the task, and a container component with
// ENV1/ENV2 defaults whose task overrides ENV2 in place and appends ENV3.
import { containerComponent, definePipeline } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const printEnvOp = lightweightComponent({
  name: 'print_env_op',
  source: "def print_env_op():\n    import os\n    print('ENV1', os.environ.get('ENV1'))\n    print('ENV2', os.environ.get('ENV2'))\n",
});

const printEnv2Op = containerComponent({
  name: 'Print env',
  image: 'alpine',
  command: () => ['sh', '-c', 'set -e -x\necho "$ENV1"\necho "$ENV2"\necho "$ENV3"\n'],
  env: { ENV1: 'val0', ENV2: 'val0' },
});

export default definePipeline({ name: 'pipeline-with-env' }, (p) => {
  p.task(printEnvOp).setEnvVariable('ENV1', 'val1');
  p.task(printEnv2Op).setEnvVariable('ENV2', 'val2').setEnvVariable('ENV3', 'val3');
});
