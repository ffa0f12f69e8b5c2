// The golden comparator must find real differences, or the golden tests could pass vacuously.
// Each case takes a golden, parses it as if it were the compiler's output, changes one thing and
// checks what compareWithGolden() reports.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Json } from './compare-ir.js';
import { compareWithGolden, diffJson, lightweightExecutors, normalizeForComparison, parseGolden } from './compare-ir.js';
import { KFP_GOLDENS_DIR as GOLDENS_DIR, kfpGoldensMissingReason } from './kfp-goldens.js';

// The cases play KFP's goldens as the compiler's output, so they need KFP's folder beside the repo.
const missing = kfpGoldensMissingReason();
if (missing) process.stderr.write(`compare-ir.test.ts: comparator tests on KFP's goldens SKIPPED: ${missing}\n`);

function goldenText(name: string): string {
  return readFileSync(new URL(`${name}.yaml`, GOLDENS_DIR), 'utf8');
}

/** The golden's data, to play the compiler's output. */
function goldenSpec(name: string): Json {
  return parseGolden(goldenText(name));
}

type Key = string | number;

function isMap(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(value: Json, key: Key): Json | undefined {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined;
  return isMap(value) ? value[key] : undefined;
}

function get(value: Json, path: readonly Key[]): Json {
  let current = value;
  for (const key of path) {
    const next = child(current, key);
    if (next === undefined) throw new Error(`test setup: no ${path.join('.')}`);
    current = next;
  }
  return current;
}

/** Set (or with `undefined`, delete) the value at `path`; the parent must exist. */
function set(value: Json, path: readonly Key[], newValue: Json | undefined): void {
  const parent = get(value, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof last === 'number' && Array.isArray(parent)) {
    if (newValue === undefined) parent.splice(last, 1);
    else parent[last] = newValue;
  } else if (typeof last === 'string' && isMap(parent)) {
    if (newValue === undefined) delete parent[last];
    else parent[last] = newValue;
  } else {
    throw new Error(`test setup: cannot set ${path.join('.')}`);
  }
}

/** Compare a modified copy of golden `name` with the golden. */
function diffAfter(name: string, change: (spec: Json) => void): string[] {
  const spec = goldenSpec(name);
  change(spec);
  return compareWithGolden(spec, goldenText(name));
}

const EXECUTORS = ['deploymentSpec', 'executors'];

describe.skipIf(missing !== undefined)('compareWithGolden', () => {
  it('finds every golden equal to itself', () => {
    const allGoldens = readdirSync(fileURLToPath(GOLDENS_DIR))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length));
    expect(allGoldens.length).toBeGreaterThan(0);
    for (const name of allGoldens) expect(compareWithGolden(goldenSpec(name), goldenText(name)), name).toEqual([]);
  });

  it('ignores sdkVersion, defaultPipelineRoot, the comment header and undefined members', () => {
    const diffs = diffAfter('two_step_pipeline_containerized', (spec) => {
      set(spec, ['sdkVersion'], 'kfp-ts-0.0.1');
      set(spec, ['defaultPipelineRoot'], 'gs://bucket/root');
    });
    expect(diffs).toEqual([]);
    const spec = goldenSpec('two_step_pipeline_containerized');
    set(spec, ['sdkVersion'], undefined);
    const withUndefined = { ...(spec as { [key: string]: Json }), extra: undefined };
    const headerless = goldenText('two_step_pipeline_containerized')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    expect(compareWithGolden(withUndefined, headerless)).toEqual([]);
  });

  it('detects a changed task name, with its path', () => {
    const diffs = diffAfter('pipeline_with_after', (spec) => {
      set(spec, ['root', 'dag', 'tasks', 'print-text-2', 'taskInfo', 'name'], 'print-text-two');
    });
    expect(diffs).toEqual([`$.root.dag.tasks["print-text-2"].taskInfo.name: expected "print-text-2", actual "print-text-two"`]);
  });

  it('detects a renamed task key as one missing and one unexpected entry', () => {
    const diffs = diffAfter('pipeline_with_after', (spec) => {
      const tasks = get(spec, ['root', 'dag', 'tasks']);
      set(spec, ['root', 'dag', 'tasks', 'print-text-4'], get(tasks, ['print-text-3']));
      set(spec, ['root', 'dag', 'tasks', 'print-text-3'], undefined);
    });
    expect(diffs).toHaveLength(2);
    expect(diffs[0]).toMatch(/^\$\.root\.dag\.tasks\["print-text-3"\]: missing in actual/);
    expect(diffs[1]).toMatch(/^\$\.root\.dag\.tasks\["print-text-4"\]: unexpected in actual/);
  });

  it('compares numbers numerically (200 equals 200.0) but detects a changed number', () => {
    const golden = goldenText('pipeline_with_resource_spec');
    expect(golden).toContain('defaultValue: 200.0');
    const spec = goldenSpec('pipeline_with_resource_spec');
    set(spec, ['root', 'inputDefinitions', 'parameters', 'n_epochs', 'defaultValue'], 200);
    expect(compareWithGolden(spec, golden)).toEqual([]);

    const diffs = diffAfter('pipeline_with_retry', (s) => {
      set(s, ['root', 'dag', 'tasks', 'add', 'retryPolicy', 'maxRetryCount'], 4);
    });
    expect(diffs).toEqual(['$.root.dag.tasks.add.retryPolicy.maxRetryCount: expected 3, actual 4']);
  });

  it('does not equate an int64 string with a number', () => {
    const diffs = diffAfter('pipeline_with_resource_spec', (spec) => {
      set(spec, [...EXECUTORS, 'exec-trainer', 'container', 'resources', 'accelerator', 'count'], 1);
    });
    expect(diffs).toEqual([
      '$.deploymentSpec.executors["exec-trainer"].container.resources.accelerator.count: expected string "1", actual number 1',
    ]);
  });

  it('detects a reordered list', () => {
    const diffs = diffAfter('pipeline_with_after', (spec) => {
      set(spec, ['root', 'dag', 'tasks', 'print-text-3', 'dependentTasks'], ['print-text-2', 'print-text']);
    });
    expect(diffs).toEqual([
      '$.root.dag.tasks["print-text-3"].dependentTasks[0]: expected "print-text", actual "print-text-2"',
      '$.root.dag.tasks["print-text-3"].dependentTasks[1]: expected "print-text-2", actual "print-text"',
    ]);
  });

  it('detects a missing list element and a list of a different length', () => {
    const diffs = diffAfter('pipeline_with_env', (spec) => {
      set(spec, [...EXECUTORS, 'exec-print-env', 'container', 'env', 2], undefined);
    });
    expect(diffs).toEqual([
      '$.deploymentSpec.executors["exec-print-env"].container.env: expected a list of 3, actual a list of 2',
      '$.deploymentSpec.executors["exec-print-env"].container.env[2]: missing in actual, expected {"name":"ENV3","value":"val3"}',
    ]);
  });

  it('masks command, args and image of executors that are lightweight in the golden only', () => {
    expect(lightweightExecutors(goldenSpec('pipeline_with_env'))).toEqual(['exec-print-env-op']);

    // Lightweight in the golden: a different command/args/image is fine...
    const masked = diffAfter('pipeline_with_env', (spec) => {
      const container = [...EXECUTORS, 'exec-print-env-op', 'container'];
      set(spec, [...container, 'command'], ['python3', '-c', 'print(1)']);
      set(spec, [...container, 'args'], undefined);
      set(spec, [...container, 'image'], 'python:3.11');
    });
    expect(masked).toEqual([]);

    // ...but the rest of that executor (its env) is still compared...
    const envChanged = diffAfter('pipeline_with_env', (spec) => {
      set(spec, [...EXECUTORS, 'exec-print-env-op', 'container', 'env', 0, 'value'], 'other');
    });
    expect(envChanged).toEqual(['$.deploymentSpec.executors["exec-print-env-op"].container.env[0].value: expected "val1", actual "other"']);

    // ...and a container executor is compared in full, even where the actual one looks lightweight.
    const containerChanged = diffAfter('pipeline_with_env', (spec) => {
      const container = [...EXECUTORS, 'exec-print-env', 'container'];
      set(spec, [...container, 'command'], ['python3', '-c', 'kfp.dsl.executor_main']);
      set(spec, [...container, 'image'], 'python:3.9');
    });
    expect(containerChanged).toHaveLength(3);
    expect(containerChanged.join('\n')).toContain('$.deploymentSpec.executors["exec-print-env"].container.command[0]: expected "sh", actual "python3"');
    expect(containerChanged.join('\n')).toContain('$.deploymentSpec.executors["exec-print-env"].container.image: expected "alpine", actual "python:3.9"');
  });

  it('masks lightweight executors only by the golden, whatever the actual spec holds', () => {
    const golden = goldenSpec('pipeline_with_retry');
    const actual = goldenSpec('pipeline_with_retry');
    set(actual, [...EXECUTORS, 'exec-add', 'container', 'command'], ['other']);
    // Without the golden's lightweight list the change shows; with it, it is masked.
    const compareMasking = (goldenLightweightExecutors: string[]) =>
      diffJson(normalizeForComparison(golden, { goldenLightweightExecutors }), normalizeForComparison(actual, { goldenLightweightExecutors }));
    expect(compareMasking([])[0]).toBe('$.deploymentSpec.executors["exec-add"].container.command: expected a list of 7, actual a list of 1');
    expect(lightweightExecutors(golden)).toEqual(['exec-add']);
    expect(compareMasking(lightweightExecutors(golden))).toEqual([]);
  });

  it('ignores schemaVersion of google.* artifact types only', () => {
    const outputs = ['components', 'comp-upstream', 'outputDefinitions', 'artifacts'];
    const google = diffAfter('pipeline_with_various_io_types', (spec) => {
      set(spec, [...outputs, 'output_9', 'artifactType', 'schemaVersion'], '0.0.2');
    });
    expect(google).toEqual([]);
    const system = diffAfter('pipeline_with_various_io_types', (spec) => {
      set(spec, [...outputs, 'output_2', 'artifactType', 'schemaVersion'], '0.0.2');
    });
    expect(system).toEqual([
      '$.components["comp-upstream"].outputDefinitions.artifacts.output_2.artifactType.schemaVersion: expected "0.0.1", actual "0.0.2"',
    ]);
  });

  it('compares JSON-in-string placeholders and items.raw as exact text', () => {
    const arg = [...EXECUTORS, 'exec-component-with-concat-placeholder', 'container', 'args', 1];
    const golden = goldenSpec('pipeline_with_concat_placeholder');
    const text = get(golden, arg);
    expect(typeof text === 'string' && JSON.parse(text)).toEqual({ Concat: ["{{$.inputs.parameters['input_prefix']}}", 'some value'] });
    const compact = diffAfter('pipeline_with_concat_placeholder', (spec) => {
      set(spec, arg, `{"Concat":["{{$.inputs.parameters['input_prefix']}}","some value"]}`);
    });
    expect(compact).toHaveLength(1);
    expect(compact[0]).toContain('$.deploymentSpec.executors["exec-component-with-concat-placeholder"].container.args[1]');
    expect(compact[0]).toContain('same JSON value, different text');

    const raw = diffAfter('pipeline_with_loops', (spec) => {
      set(spec, ['root', 'dag', 'tasks', 'for-loop-4', 'parameterIterator', 'items', 'raw'], '[{"B_b": "2", "A_a": "1"}, {"B_b": "20", "A_a": "10"}]');
    });
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatch(/^\$\.root\.dag\.tasks\["for-loop-4"\]\.parameterIterator\.items\.raw: expected /);
  });

  it('detects a value of another kind and an unexpected extra field', () => {
    const diffs = diffAfter('container_component_with_no_inputs', (spec) => {
      set(spec, ['root', 'dag', 'tasks', 'hello-world-container', 'cachingOptions'], { enableCache: 'true' });
      set(spec, ['root', 'dag', 'tasks', 'hello-world-container', 'triggerPolicy'], { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' });
    });
    expect(diffs).toEqual([
      '$.root.dag.tasks["hello-world-container"].cachingOptions.enableCache: expected boolean true, actual string "true"',
      '$.root.dag.tasks["hello-world-container"].triggerPolicy: unexpected in actual {"strategy":"ALL_UPSTREAM_TASKS_COMPLETED"}',
    ]);
  });

  it('stops after 20 differences', () => {
    const diffs = diffAfter('pipeline_with_parallelfor_parallelism', (spec) => {
      const components = get(spec, ['components']);
      if (!isMap(components)) throw new Error('test setup: components');
      for (const key of Object.keys(components)) set(spec, ['components', key, 'marker'], key);
    });
    expect(diffs).toHaveLength(21);
    expect(diffs[20]).toMatch(/^… and \d+ more difference\(s\) not shown$/);
    expect(compareWithGolden({}, goldenText('pipeline_with_retry'), { maxDifferences: 3 })).toHaveLength(4);
  });
});
