// Stand-ins for KFP lightweight Python components (`@dsl.component`) in the golden re-creations.
// Their executor command/args/image are Python-toolchain output and are masked by the comparison
// (FORMAT.md, "How to compare" 3), so a container component with the same name, inputs and
// outputs on the same default image is an exact re-creation of everything that is compared.
import type { ContainerComponent, IOSpecMap } from '../../pipelines/dsl/index.js';
import { containerComponent, system } from '../../pipelines/dsl/index.js';

export interface LightweightOptions<I extends IOSpecMap, O extends IOSpecMap> {
  /** The Python function name (`print_op`); task keys derive from it. */
  name: string;
  inputs?: I;
  /** A single return value is the output `Output`; NamedTuple fields keep their names. */
  outputs?: O;
  /** The function body, for readers; it does not take part in the comparison. */
  source?: string;
  env?: Record<string, string>;
}

/** KFP's default base image for lightweight components at the goldens' SDK version. */
export const LIGHTWEIGHT_IMAGE = 'python:3.9';

export function lightweightComponent<I extends IOSpecMap = Record<never, never>, O extends IOSpecMap = Record<never, never>>(
  options: LightweightOptions<I, O>,
): ContainerComponent<I, O> {
  return containerComponent<I, O>({
    name: options.name,
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.outputs ? { outputs: options.outputs } : {}),
    image: LIGHTWEIGHT_IMAGE,
    command: () => ['python3', '-c', options.source ?? `# ${options.name}`],
    args: () => ['--executor_input', system.executorInput, '--function_to_execute', options.name],
    ...(options.env ? { env: options.env } : {}),
  });
}
