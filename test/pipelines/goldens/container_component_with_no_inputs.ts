// container_component_with_no_inputs.yaml: one `echo hello world` task; no inputs or outputs anywhere.
import { containerComponent, definePipeline } from '../../../pipelines/dsl/index.js';

const helloWorldContainer = containerComponent({
  name: 'hello_world_container',
  image: 'python:3.9',
  command: () => ['echo', 'hello world'],
});

export default definePipeline({ name: 'v2-container-component-no-input' }, (p) => {
  p.task(helloWorldContainer);
});
