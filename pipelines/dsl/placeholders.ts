// Container command/args placeholders, rendered exactly as KFP writes them into the IR.
import type { IOSpecMap } from './types.js';

/** `{"Concat": [...]}`: one argument made of several parts. */
export interface ConcatPlaceholder {
  readonly kind: 'concat';
  readonly items: readonly CommandItem[];
}

/** `{"IfPresent": {...}}`: arguments that appear only when an optional input is given. */
export interface IfPresentPlaceholder {
  readonly kind: 'ifPresent';
  readonly inputName: string;
  readonly then: readonly CommandItem[] | CommandItem;
  readonly else?: readonly CommandItem[] | CommandItem;
}

export type CommandItem = string | ConcatPlaceholder | IfPresentPlaceholder;

export function concat(...items: CommandItem[]): ConcatPlaceholder {
  return { kind: 'concat', items };
}

export function ifPresent(
  inputName: string,
  branches: { then: readonly CommandItem[] | CommandItem; else?: readonly CommandItem[] | CommandItem },
): IfPresentPlaceholder {
  return { kind: 'ifPresent', inputName, then: branches.then, ...(branches.else !== undefined ? { else: branches.else } : {}) };
}

/** Values the backend fills in at run time (`{{$.pipeline_*}}`). */
export const system = {
  pipelineJobName: '{{$.pipeline_job_name}}',
  pipelineJobResourceName: '{{$.pipeline_job_resource_name}}',
  pipelineJobUuid: '{{$.pipeline_job_uuid}}',
  pipelineTaskName: '{{$.pipeline_task_name}}',
  pipelineTaskUuid: '{{$.pipeline_task_uuid}}',
  pipelineRoot: '{{$.pipeline_root}}',
  pipelineJobCreateTimeUtc: '{{$.pipeline_job_create_time_utc}}',
  pipelineJobScheduleTimeUtc: '{{$.pipeline_job_schedule_time_utc}}',
  /** The whole ExecutorInput as JSON. */
  executorInput: '{{$}}',
  /** Where the executor writes its ExecutorOutput. */
  executorOutputFile: '{{$.outputs.output_file}}',
} as const;

export interface ArtifactPlaceholders {
  readonly path: string;
  readonly uri: string;
  readonly metadata: string;
  /** An artifact list input as a whole. */
  readonly list: string;
  metadataKey(key: string): string;
}

function artifactPlaceholders(side: 'inputs' | 'outputs', name: string): ArtifactPlaceholders {
  const base = `{{$.${side}.artifacts['${name}']`;
  return {
    path: `${base}.path}}`,
    uri: `${base}.uri}}`,
    metadata: `${base}.metadata}}`,
    list: `${base}}}`,
    metadataKey: (key: string) => `${base}.metadata['${key}']}}`,
  };
}

/** What a component's command sees: a placeholder string per parameter, path/uri/metadata per artifact. */
export type IOPlaceholders<M extends IOSpecMap> = {
  readonly [K in keyof M]: M[K] extends { kind: 'artifact' } ? ArtifactPlaceholders : string;
};

export function inputPlaceholders<M extends IOSpecMap>(specs: M): IOPlaceholders<M> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = spec.kind === 'artifact' ? artifactPlaceholders('inputs', name) : `{{$.inputs.parameters['${name}']}}`;
  }
  return out as IOPlaceholders<M>;
}

/** Output parameters render as the file the container writes the value to. */
export function outputPlaceholders<M extends IOSpecMap>(specs: M): IOPlaceholders<M> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = spec.kind === 'artifact' ? artifactPlaceholders('outputs', name) : `{{$.outputs.parameters['${name}'].output_file}}`;
  }
  return out as IOPlaceholders<M>;
}
