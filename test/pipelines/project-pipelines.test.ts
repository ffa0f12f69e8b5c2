import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineSpec, TaskSpec } from '../../pipelines/ir/index.js';
import { specToJson, specToYaml } from '../../pipelines/compiler/yaml.js';
import { projectPipelines } from '../../pipelines/definitions/index.js';

/** Every leaf task in the spec with the chain of condition groups above it. */
function leafTasks(spec: PipelineSpec): Map<string, { task: TaskSpec; conditions: string[] }> {
  const found = new Map<string, { task: TaskSpec; conditions: string[] }>();
  const walk = (tasks: Record<string, TaskSpec>, conditions: string[]): void => {
    for (const [key, task] of Object.entries(tasks)) {
      const comp = spec.components[task.componentRef.name];
      if (comp?.dag) walk(comp.dag.tasks, task.triggerPolicy?.condition ? [...conditions, task.triggerPolicy.condition] : conditions);
      else found.set(key, { task, conditions });
    }
  };
  walk(spec.root.dag!.tasks, []);
  return found;
}

describe('project pipelines', () => {
  const [training, tuning] = projectPipelines().map((d) => compilePipeline(d));

  it('training pipeline runs validate → split → train → evaluate → gate → export, export only when approved', () => {
    const tasks = leafTasks(training!);
    expect([...tasks.keys()].sort()).toEqual(
      ['evaluate-model', 'export-serving-artifact', 'gate-model', 'importer', 'preprocess-split', 'train-model', 'validate-data'].sort(),
    );
    expect(tasks.get('export-serving-artifact')!.conditions).toEqual(["inputs.parameter_values['pipelinechannel--gate-model-approved'] == true"]);
    // Failed validation fails the run: the split waits for it, with no condition to skip past it.
    expect(tasks.get('preprocess-split')!.conditions).toHaveLength(0);
    expect(tasks.get('preprocess-split')!.task.dependentTasks).toContain('validate-data');
    expect(tasks.get('validate-data')!.conditions).toHaveLength(0);
    expect(tasks.get('evaluate-model')!.task.dependentTasks).toEqual(['preprocess-split', 'train-model']);
    expect(tasks.get('train-model')!.task.inputs?.parameters?.model_type).toEqual({ componentInputParameter: 'model_type' });
  });

  it("both variants output the gate's decision and its reason, from the top-level gate task", () => {
    for (const spec of [training!, tuning!]) {
      expect(spec.root.outputDefinitions?.parameters).toEqual({ approved: { parameterType: 'BOOLEAN' }, gate_reason: { parameterType: 'STRING' } });
      expect(spec.root.dag!.outputs?.parameters).toEqual({
        approved: { valueFromParameter: { producerSubtask: 'gate-model', outputParameterKey: 'approved' } },
        gate_reason: { valueFromParameter: { producerSubtask: 'gate-model', outputParameterKey: 'reason' } },
      });
    }
  });

  it('model type is a run-time parameter with the four supported trainers named', () => {
    const modelType = training!.root.inputDefinitions!.parameters!.model_type!;
    expect(modelType).toMatchObject({ parameterType: 'STRING', defaultValue: 'random_forest', isOptional: true });
    expect(training!.components['comp-train-model']!.inputDefinitions!.parameters!.model_type!.description).toMatch(
      /random_forest, gradient_boosting, ridge, xgboost/,
    );
  });

  it('the tuning variant tunes on Vertex and refits with the best trial', () => {
    const tasks = leafTasks(tuning!);
    const refit = tasks.get('train-model')!.task;
    expect(refit.inputs?.parameters?.hyperparameters).toEqual({
      taskOutputParameter: { producerTask: 'tune-hyperparameters', outputParameterKey: 'best_hyperparameters' },
    });
    expect(refit.dependentTasks).toContain('tune-hyperparameters');
    expect(tuning!.root.inputDefinitions!.parameters!.metric_goal).toMatchObject({ defaultValue: 'MINIMIZE' });
  });

  it('writes YAML and JSON that parse back to the same spec', () => {
    for (const spec of [training!, tuning!]) {
      const fromYaml: unknown = parse(specToYaml(spec));
      const fromJson: unknown = JSON.parse(specToJson(spec));
      expect(fromYaml).toEqual(fromJson);
      expect(fromJson).toEqual(JSON.parse(JSON.stringify(spec)));
    }
    expect(specToYaml(training!).split('\n')[0]).toBe('# PIPELINE DEFINITION');
  });

  it('compiles deterministically', () => {
    const again = projectPipelines().map((d) => specToJson(compilePipeline(d)));
    expect(again).toEqual([specToJson(training!), specToJson(tuning!)]);
  });
});
