// Everything about a job that can be checked before anything runs: its name, the IR's shape and
// references, CEL syntax, the pipeline root and the run-time parameters. The emulator's API can
// call this at create time to answer 400 instead of running a job that cannot work.
import { z } from 'zod';
import { parseGcsUri } from '../containers/gcs-paths.js';
import { parseCel } from './cel.js';
import { errorMessage, InvalidPipelineJobError, TaskError } from './errors.js';
import { findCycle } from './graph.js';
import type { ComponentSpec, PipelineSpec } from '../../../pipelines/ir/index.js';
import { pipelineSpecSchema } from '../../../pipelines/ir/index.js';
import type { JsonValue } from '../../../pipelines/ir/index.js';
import type { PipelineJobToRun } from './types.js';
import { coerceParameter } from './values.js';

export interface ValidatedJob {
  name: string;
  project: string;
  location: string;
  id: string;
  spec: PipelineSpec;
  /** `gs://...` without a trailing slash. */
  pipelineRoot: string;
  /** Run-time parameters with defaults applied, typed as the root declares them. */
  parameters: Map<string, JsonValue>;
  failFast: boolean;
}

const JOB_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/pipelineJobs\/([^/]+)$/;

function invalid(message: string): never {
  throw new InvalidPipelineJobError(message);
}

function parseJobName(name: string): { project: string; location: string; id: string } {
  const m = JOB_NAME.exec(name);
  if (!m) return invalid(`Invalid PipelineJob name '${name}': expected projects/{project}/locations/{location}/pipelineJobs/{id}`);
  return { project: m[1]!, location: m[2]!, id: m[3]! };
}

function parsePipelineSpec(raw: unknown): PipelineSpec {
  const parsed = pipelineSpecSchema.safeParse(raw);
  if (!parsed.success) invalid(`Invalid pipelineSpec:\n${z.prettifyError(parsed.error)}`);
  checkStructure(parsed.data);
  return parsed.data;
}

function checkStructure(spec: PipelineSpec): void {
  if (!spec.root.dag) invalid('Invalid pipelineSpec: root has no dag');
  const visiting = new Set<string>();
  const checked = new Set<string>();
  const checkComponent = (where: string, component: ComponentSpec): void => {
    if (component.dag && component.executorLabel) invalid(`${where}: has both a dag and an executorLabel`);
    if (!component.dag) {
      const executor = spec.deploymentSpec.executors[component.executorLabel ?? ''];
      if (!executor) invalid(`${where}: executor '${component.executorLabel ?? ''}' not found in deploymentSpec.executors`);
      if (!executor.container && !executor.importer) {
        invalid(`${where}: executor '${component.executorLabel ?? ''}' is not supported by the local engine (only container and importer executors)`);
      }
      return;
    }
    const tasks = component.dag.tasks;
    for (const [key, task] of Object.entries(tasks)) {
      const at = `${where}, task '${key}'`;
      const sibling = (name: string, what: string) => {
        if (!Object.hasOwn(tasks, name)) invalid(`${at}: ${what} '${name}' is not a task of the same DAG`);
      };
      for (const d of task.dependentTasks ?? []) sibling(d, 'dependent task');
      for (const p of Object.values(task.inputs?.parameters ?? {})) {
        if (p.taskOutputParameter) sibling(p.taskOutputParameter.producerTask, 'producer task');
        if (p.taskFinalStatus) sibling(p.taskFinalStatus.producerTask, 'producer task');
        if (p.parameterExpressionSelector) celSyntax(at, p.parameterExpressionSelector);
      }
      for (const a of Object.values(task.inputs?.artifacts ?? {})) if (a.taskOutputArtifact) sibling(a.taskOutputArtifact.producerTask, 'producer task');
      if (task.triggerPolicy?.condition) celSyntax(at, task.triggerPolicy.condition);
      const iterator = task.parameterIterator;
      if (iterator) {
        if (iterator.items.raw !== undefined) {
          let items: unknown;
          try {
            items = JSON.parse(iterator.items.raw);
          } catch {
            invalid(`${at}: parameterIterator.items.raw is not JSON`);
          }
          if (!Array.isArray(items)) invalid(`${at}: parameterIterator.items.raw is not a JSON list`);
        } else if (iterator.items.inputParameter === undefined) {
          invalid(`${at}: parameterIterator.items needs raw or inputParameter`);
        }
      }
      const ref = task.componentRef.name;
      const child = spec.components[ref];
      if (!child) invalid(`${at}: component '${ref}' not found`);
      if ((iterator || task.artifactIterator) && !child.dag) invalid(`${at}: a loop's component must have a dag`);
      if (visiting.has(ref)) invalid(`${at}: component '${ref}' contains itself`);
      if (!checked.has(ref)) {
        visiting.add(ref);
        checkComponent(`component '${ref}'`, child);
        visiting.delete(ref);
        checked.add(ref);
      }
    }
    const cycle = findCycle(tasks);
    if (cycle) invalid(`${where}: tasks depend on each other in a cycle: ${cycle.join(' -> ')}`);
    const outputs = component.dag.outputs;
    for (const o of Object.values(outputs?.parameters ?? {})) {
      for (const s of o.valueFromOneof?.parameterSelectors ?? (o.valueFromParameter ? [o.valueFromParameter] : [])) {
        if (!Object.hasOwn(tasks, s.producerSubtask)) invalid(`${where}: dag output refers to unknown task '${s.producerSubtask}'`);
      }
    }
    for (const o of Object.values(outputs?.artifacts ?? {})) {
      for (const s of o.artifactSelectors) if (!Object.hasOwn(tasks, s.producerSubtask)) invalid(`${where}: dag output refers to unknown task '${s.producerSubtask}'`);
    }
  };
  checkComponent('root', spec.root);
}

function celSyntax(where: string, expression: string): void {
  try {
    parseCel(expression);
  } catch (err) {
    invalid(`${where}: ${errorMessage(err)}`);
  }
}

function rootParameters(spec: PipelineSpec, given: Record<string, unknown>): Map<string, JsonValue> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const out = new Map<string, JsonValue>();
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(defs, key)) invalid(`The pipeline parameter ${key} is not found in the pipeline job input definitions.`);
  }
  for (const [key, def] of Object.entries(defs)) {
    const value = Object.hasOwn(given, key) ? (given[key] as JsonValue) : def.defaultValue;
    if (value === undefined || value === null) {
      if (!def.isOptional) invalid(`The pipeline parameter ${key} is required but no value was given and it has no default.`);
      continue;
    }
    try {
      out.set(key, coerceParameter(structuredClone(value), def.parameterType, `The pipeline parameter ${key}`));
    } catch (err) {
      invalid(err instanceof TaskError ? err.message : errorMessage(err));
    }
  }
  if (Object.keys(spec.root.inputDefinitions?.artifacts ?? {}).some((k) => !spec.root.inputDefinitions?.artifacts?.[k]?.isOptional)) {
    invalid('Pipelines with input artifacts (runtimeConfig.inputArtifacts) are not supported by the local engine.');
  }
  return out;
}

export function validatePipelineJob(job: PipelineJobToRun): ValidatedJob {
  const { project, location, id } = parseJobName(job.name);
  const spec = parsePipelineSpec(job.pipelineSpec);
  const root = job.runtimeConfig.gcsOutputDirectory ?? spec.defaultPipelineRoot;
  if (!root) invalid('runtimeConfig.gcsOutputDirectory is required (the pipeline declares no defaultPipelineRoot).');
  const loc = parseGcsUri(root);
  if (!loc || loc.bucket === '') invalid(`The pipeline root '${root}' is not a gs:// URI.`);
  return {
    name: job.name,
    project,
    location,
    id,
    spec,
    pipelineRoot: root.replace(/\/+$/, ''),
    parameters: rootParameters(spec, job.runtimeConfig.parameterValues ?? {}),
    failFast: job.runtimeConfig.failurePolicy === 'PIPELINE_FAILURE_POLICY_FAIL_FAST',
  };
}
