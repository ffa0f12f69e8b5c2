// pipeline_with_string_machine_fields_task_output.yaml: cpu/memory limits and accelerator type/count
// of one task taken from the outputs of four other tasks (created after it, as in the Python source).
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const stringOutput = (name: string, value: string) =>
  lightweightComponent({
    name,
    outputs: { Output: param.string() },
    source: `def ${name}() -> str:\n    return '${value}'\n`,
  });

const cpuLimit = stringOutput('cpu_limit', '4000m');
const memoryLimit = stringOutput('memory_limit', '15G');
const acceleratorType = stringOutput('accelerator_type', 'NVIDIA_TESLA_P4');
const acceleratorLimit = stringOutput('accelerator_limit', '1');

const sumNumbers = lightweightComponent({
  name: 'sum_numbers',
  inputs: { a: param.int(), b: param.int() },
  outputs: { Output: param.int() },
  source: 'def sum_numbers(a: int, b: int) -> int:\n    return a + b\n',
});

export default definePipeline({ name: 'pipeline' }, (p) => {
  const sumNumbersTask = p.task(sumNumbers, { a: 1, b: 2 });
  sumNumbersTask.setCpuLimit(p.task(cpuLimit).output);
  sumNumbersTask.setMemoryLimit(p.task(memoryLimit).output);
  sumNumbersTask.setAcceleratorType(p.task(acceleratorType).output);
  sumNumbersTask.setAcceleratorLimit(p.task(acceleratorLimit).output);
});
