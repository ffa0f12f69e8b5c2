/**
 * The container image holding the project's Python components (scikit-learn, XGBoost, pandas).
 * Built from `pipelines/components/python`; the local Vertex emulator maps it to `/usr/bin/python3`.
 */
export const COMPONENT_IMAGE = 'us-docker.pkg.dev/vertex-mlops/components/mlops-components:0.1.0';

/** `python3 -m mlops_components.steps.<step>`: every component is a step module of one package. */
export function moduleCommand(module: string): string[] {
  return ['python3', '-m', `mlops_components.steps.${module}`];
}

/** What a component's command callback receives: placeholder strings, or path/uri holders for artifacts. */
type Placeholders = Readonly<Record<string, string | { readonly path: string; readonly uri: string }>>;

/**
 * `--kebab-name <placeholder>` for every input then output, in declaration order: the CLI
 * convention of every `mlops_components` module. Artifacts pass their local path, or their
 * gs:// URI when listed in `byUri` (for steps that hand data on to other Vertex jobs).
 */
export function flagArgs(io: { inputs: Placeholders; outputs: Placeholders }, options: { byUri?: readonly string[] } = {}): string[] {
  const args: string[] = [];
  for (const [name, placeholder] of [...Object.entries(io.inputs), ...Object.entries(io.outputs)]) {
    const value = typeof placeholder === 'string' ? placeholder : options.byUri?.includes(name) ? placeholder.uri : placeholder.path;
    args.push(`--${name.replaceAll('_', '-')}`, value);
  }
  return args;
}
