// Components: container components (KFP's container_component / v1 YAML components) and the importer.
import type { CommandItem, IOPlaceholders } from './placeholders.js';
import { inputPlaceholders, outputPlaceholders } from './placeholders.js';
import type { ArtifactSpec, IOSpecMap, JsonValue } from './types.js';

export interface ContainerDefinition {
  readonly image: string;
  readonly command?: readonly CommandItem[];
  readonly args?: readonly CommandItem[];
  /** Ordered environment; later tasks may override values in place. */
  readonly env?: readonly (readonly [string, string])[];
}

export interface ContainerComponent<I extends IOSpecMap = IOSpecMap, O extends IOSpecMap = IOSpecMap> {
  readonly kind: 'container';
  readonly name: string;
  readonly inputs: I;
  readonly outputs: O;
  readonly container: ContainerDefinition;
}

export interface ContainerComponentOptions<I extends IOSpecMap, O extends IOSpecMap> {
  /** Component name; task keys derive from it (`print_op` → `print-op`). */
  name: string;
  inputs?: I;
  outputs?: O;
  image: string;
  command?: (io: { inputs: IOPlaceholders<I>; outputs: IOPlaceholders<O> }) => CommandItem[];
  args?: (io: { inputs: IOPlaceholders<I>; outputs: IOPlaceholders<O> }) => CommandItem[];
  env?: Record<string, string>;
}

export function containerComponent<I extends IOSpecMap = Record<never, never>, O extends IOSpecMap = Record<never, never>>(
  options: ContainerComponentOptions<I, O>,
): ContainerComponent<I, O> {
  const inputs = (options.inputs ?? {}) as I;
  const outputs = (options.outputs ?? {}) as O;
  const io = { inputs: inputPlaceholders(inputs), outputs: outputPlaceholders(outputs) };
  return {
    kind: 'container',
    name: options.name,
    inputs,
    outputs,
    container: {
      image: options.image,
      ...(options.command ? { command: options.command(io) } : {}),
      ...(options.args ? { args: options.args(io) } : {}),
      ...(options.env ? { env: Object.entries(options.env) } : {}),
    },
  };
}

/** The importer brings an existing artifact (by URI) into the pipeline as output `artifact`. */
export interface ImporterComponent {
  readonly kind: 'importer';
  readonly name: 'importer';
  readonly inputs: { uri: { kind: 'parameter'; type: 'STRING'; optional: false } };
  readonly outputs: { artifact: ArtifactSpec };
  readonly reimport: boolean;
  readonly metadata?: { [key: string]: JsonValue };
}
