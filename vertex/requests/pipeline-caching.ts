// Caching per submission, as Vertex's Python SDK applies `PipelineJob(enable_caching=...)`: the
// compiled spec is rewritten so that every task of every DAG (the root's and each sub-DAG's) carries
// `cachingOptions.enableCache`. Vertex reads caching from the spec only; there is no job-level flag.
import type { ComponentSpec, PipelineSpec, TaskSpec } from '../../pipelines/ir/index.js';

function withTaskCaching(tasks: Record<string, TaskSpec> | undefined, enableCache: boolean): Record<string, TaskSpec> | undefined {
  if (tasks === undefined) return undefined;
  return Object.fromEntries(Object.entries(tasks).map(([name, task]) => [name, { ...task, cachingOptions: { ...task.cachingOptions, enableCache } }]));
}

function withComponentCaching(component: ComponentSpec, enableCache: boolean): ComponentSpec {
  if (component.dag === undefined) return component;
  return { ...component, dag: { ...component.dag, tasks: withTaskCaching(component.dag.tasks, enableCache) ?? {} } };
}

/** A copy of `spec` with caching set on every task; the input is not changed. */
export function withCaching(spec: PipelineSpec, enableCache: boolean): PipelineSpec {
  return {
    ...spec,
    root: withComponentCaching(spec.root, enableCache),
    ...(spec.components === undefined
      ? {}
      : { components: Object.fromEntries(Object.entries(spec.components).map(([name, c]) => [name, withComponentCaching(c, enableCache)])) }),
  };
}
