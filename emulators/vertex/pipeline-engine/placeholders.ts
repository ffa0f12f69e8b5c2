// KFP's executor placeholders (FORMAT.md §7): `{{$...}}` inside command/args/env strings, and the
// structured Concat / IfPresent items that occupy one list element as JSON text.
import { RpcCode, TaskError } from './errors.js';
import type { RuntimeArtifact } from './runtime.js';
import type { JsonObject, JsonValue } from '../../../pipelines/ir/index.js';
import { renderParameter } from './values.js';

/** `{{$.pipeline_job_name}}` etc., keyed without the `{{$.` / `}}`. */
export type SystemValues = Readonly<Record<SystemPlaceholder, string>>;
export type SystemPlaceholder =
  | 'pipeline_job_name'
  | 'pipeline_job_resource_name'
  | 'pipeline_job_uuid'
  | 'pipeline_task_name'
  | 'pipeline_task_uuid'
  | 'pipeline_root'
  | 'pipeline_job_create_time_utc'
  | 'pipeline_job_schedule_time_utc';

export interface PlaceholderValues {
  parameters: ReadonlyMap<string, JsonValue>;
  inputArtifacts: ReadonlyMap<string, RuntimeArtifact[]>;
  outputArtifacts: ReadonlyMap<string, RuntimeArtifact[]>;
  /** Output parameter name → the local file the container writes it to. */
  outputParameterFiles: ReadonlyMap<string, string>;
  /** Where the container may write its ExecutorOutput JSON. */
  outputFile: string;
  executorInput: JsonObject;
  system: SystemValues;
  /** `gs://b/p` → the local file (what `/gcs/b/p` is on Vertex). */
  localPath(uri: string): string;
}

const PLACEHOLDER = /\{\{\$([^{}]*)\}\}/g;
const IO = /^\.(inputs|outputs)\.(parameters|artifacts)\[(?:'([^']*)'|"([^"]*)")\](.*)$/;
const ARTIFACT_FIELD = /^(?:\.(path|uri|metadata))?(?:\[(?:'([^']*)'|"([^"]*)")\])?$/;
const SYSTEM = new Set<string>([
  'pipeline_job_name',
  'pipeline_job_resource_name',
  'pipeline_job_uuid',
  'pipeline_task_name',
  'pipeline_task_uuid',
  'pipeline_root',
  'pipeline_job_create_time_utc',
  'pipeline_job_schedule_time_utc',
]);

function unsupported(text: string, why: string): never {
  throw new TaskError(`Cannot resolve placeholder '{{$${text}}}': ${why}`, RpcCode.INVALID_ARGUMENT);
}

function artifactJson(a: RuntimeArtifact): JsonObject {
  return { name: a.name, type: { schemaTitle: a.schemaTitle, schemaVersion: a.schemaVersion }, uri: a.uri, metadata: a.metadata };
}

function resolveOne(path: string, v: PlaceholderValues): string {
  if (path === '') return JSON.stringify(v.executorInput);
  if (path === '.outputs.output_file') return v.outputFile;
  if (path.startsWith('.') && SYSTEM.has(path.slice(1))) return v.system[path.slice(1) as SystemPlaceholder];
  const m = IO.exec(path);
  if (!m) return unsupported(path, 'unknown placeholder');
  const side = m[1] as 'inputs' | 'outputs';
  const kind = m[2] as 'parameters' | 'artifacts';
  const name = m[3] ?? m[4] ?? '';
  const rest = m[5] ?? '';
  if (kind === 'parameters') {
    if (side === 'inputs') {
      if (rest !== '') return unsupported(path, `'${rest}' after an input parameter is not supported`);
      const value = v.parameters.get(name);
      if (value === undefined) return unsupported(path, `input parameter '${name}' has no value`);
      return renderParameter(value);
    }
    if (rest !== '.output_file') return unsupported(path, 'an output parameter only has .output_file');
    const file = v.outputParameterFiles.get(name);
    if (file === undefined) return unsupported(path, `no output parameter '${name}'`);
    return file;
  }
  const list = (side === 'inputs' ? v.inputArtifacts : v.outputArtifacts).get(name);
  if (list === undefined) return unsupported(path, `no ${side === 'inputs' ? 'input' : 'output'} artifact '${name}'`);
  // The bare form names an artifact list as a whole.
  if (rest === '') return JSON.stringify(list.map(artifactJson));
  const field = ARTIFACT_FIELD.exec(rest);
  if (!field || (field[1] !== 'metadata' && (field[2] ?? field[3]) !== undefined)) return unsupported(path, `unknown artifact field '${rest}'`);
  const artifact = list[0];
  if (!artifact) return unsupported(path, `artifact '${name}' is empty`);
  switch (field[1]) {
    case 'uri':
      return artifact.uri;
    case 'path':
      try {
        return v.localPath(artifact.uri);
      } catch (err) {
        return unsupported(path, err instanceof Error ? err.message : String(err));
      }
    case 'metadata': {
      const key = field[2] ?? field[3];
      if (key === undefined) return JSON.stringify(artifact.metadata);
      const value = artifact.metadata[key];
      if (value === undefined) return unsupported(path, `artifact '${name}' has no metadata key '${key}'`);
      return renderParameter(value);
    }
    default:
      return unsupported(path, `unknown artifact field '${rest}'`);
  }
}

/** Every `{{$...}}` in `text` replaced (one pass: values are never re-scanned). */
export function resolveText(text: string, v: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (_m, path: string) => resolveOne(path, v));
}

/** `{"Concat": ...}` / `{"IfPresent": ...}` list items, as KFP writes them (JSON text). */
function structured(item: string): JsonObject | undefined {
  if (!item.startsWith('{"Concat"') && !item.startsWith('{"IfPresent"')) return undefined;
  try {
    const parsed = JSON.parse(item) as JsonValue;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function present(name: string, v: PlaceholderValues): boolean {
  return v.parameters.has(name) || v.inputArtifacts.has(name);
}

function expand(item: JsonValue, v: PlaceholderValues): string[] {
  if (typeof item === 'string') {
    const s = structured(item);
    return s ? expand(s, v) : [resolveText(item, v)];
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new TaskError(`Invalid command item ${JSON.stringify(item)}`, RpcCode.INVALID_ARGUMENT);
  }
  if ('Concat' in item) {
    const parts = item.Concat;
    if (!Array.isArray(parts)) throw new TaskError('Concat needs a list', RpcCode.INVALID_ARGUMENT);
    return [parts.flatMap((p) => expand(p, v)).join('')];
  }
  if ('IfPresent' in item) {
    const spec = item.IfPresent;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || typeof spec.InputName !== 'string') {
      throw new TaskError('IfPresent needs an InputName', RpcCode.INVALID_ARGUMENT);
    }
    const branch = present(spec.InputName, v) ? spec.Then : spec.Else;
    if (branch === undefined || branch === null) return [];
    return Array.isArray(branch) ? branch.flatMap((b) => expand(b, v)) : expand(branch, v);
  }
  throw new TaskError(`Unknown structured placeholder ${JSON.stringify(item).slice(0, 80)}`, RpcCode.INVALID_ARGUMENT);
}

/** A command or args list with every placeholder resolved; IfPresent may add or drop items. */
export function resolveCommandLine(items: readonly string[], v: PlaceholderValues): string[] {
  return items.flatMap((item) => expand(item, v));
}

/**
 * Constants that embed other inputs (`"{{$.inputs.parameters['pipelinechannel--x']}}-suffix"`,
 * from f-strings) or system values, resolved against the task's own inputs.
 */
export function resolveConstant(text: string, parameters: ReadonlyMap<string, JsonValue>, system: SystemValues): string {
  return text.replace(PLACEHOLDER, (whole, path: string) => {
    if (path.startsWith('.') && SYSTEM.has(path.slice(1))) return system[path.slice(1) as SystemPlaceholder];
    const m = IO.exec(path);
    if (m && m[1] === 'inputs' && m[2] === 'parameters' && m[5] === '') {
      const value = parameters.get(m[3] ?? m[4] ?? '');
      if (value !== undefined) return renderParameter(value);
    }
    return whole;
  });
}
