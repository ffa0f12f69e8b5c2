// YAML form of a compiled spec, laid out as KFP writes it: a comment header, then keys sorted.
import { stringify } from 'yaml';
import type { ParameterType } from '../dsl/types.js';
import type { IODefinitions, PipelineSpec, ParameterType as IrParameterType } from '../ir/index.js';

// Every type a pipeline can declare has a Python name; the IR's other types show as themselves.
const TYPE_NAMES: Record<ParameterType, string> & Partial<Record<IrParameterType, string>> = {
  STRING: 'str',
  NUMBER_INTEGER: 'int',
  NUMBER_DOUBLE: 'float',
  BOOLEAN: 'bool',
  LIST: 'list',
  STRUCT: 'dict',
  TASK_FINAL_STATUS: 'PipelineTaskFinalStatus',
};

function headerLines(title: string, defs: IODefinitions | undefined): string[] {
  const entries: [string, string][] = [];
  for (const [name, p] of Object.entries(defs?.parameters ?? {})) {
    entries.push([name, `${TYPE_NAMES[p.parameterType] ?? p.parameterType}${p.defaultValue !== undefined ? ` [Default: ${JSON.stringify(p.defaultValue)}]` : ''}`]);
  }
  for (const [name, a] of Object.entries(defs?.artifacts ?? {})) entries.push([name, a.artifactType.schemaTitle]);
  if (entries.length === 0) return [];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [`# ${title}:`, ...entries.map(([n, t]) => `#    ${n}: ${t}`)];
}

export function specToYaml(spec: PipelineSpec): string {
  const header = [
    '# PIPELINE DEFINITION',
    `# Name: ${spec.pipelineInfo.name}`,
    ...(spec.pipelineInfo.description ? [`# Description: ${spec.pipelineInfo.description}`] : []),
    ...headerLines('Inputs', spec.root.inputDefinitions),
    ...headerLines('Outputs', spec.root.outputDefinitions),
  ];
  return `${header.join('\n')}\n${stringify(spec, { sortMapEntries: true, lineWidth: 0 })}`;
}

/** JSON with keys sorted at every level, so that output is stable across runs. */
export function specToJson(spec: PipelineSpec): string {
  return `${JSON.stringify(sortKeys(spec), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
