// pipeline_with_after.yaml: three echo tasks ordered only by `.after()`.
import { containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';

const printText = containerComponent({
  name: 'Print Text',
  inputs: { text: param.string() },
  image: 'alpine',
  command: ({ inputs }) => ['sh', '-c', 'set -e -x\necho "$0"\n', inputs.text],
});

export default definePipeline({ name: 'pipeline-with-after' }, (p) => {
  const task1 = p.task(printText, { text: '1st task' });
  const task2 = p.task(printText, { text: '2nd task' }).after(task1);
  p.task(printText, { text: '3rd task' }).after(task1, task2);
});
