import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineSpec, TaskSpec } from '../../pipelines/ir/index.js';
import { specToJson, specToYaml } from '../../pipelines/compiler/yaml.js';
import { projectPipelines } from '../../pipelines/definitions/index.js';
import { EVALUATION_PIPELINE_TASKS, TRAINING_PIPELINE_TASKS } from '../../pipelines/definitions/training-tasks.js';
import { TUNING_PIPELINE_TASKS } from '../../pipelines/definitions/tuning-pipeline.js';
import { DEFAULT_SEARCH_SPACE, modelTypeStudyParameters } from '../../pipelines/definitions/search-spaces.js';

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
  const [training, tuning, evaluation, tuningRun] = projectPipelines().map((d) => compilePipeline(d));

  it('ships the training pipeline, its tuning variant, the evaluation pipeline and the tuning pipeline', () => {
    expect(projectPipelines().map((d) => d.name)).toEqual(['training-pipeline', 'training-pipeline-hpt', 'evaluation-pipeline', 'tuning-pipeline']);
  });

  it('training pipeline runs validate → split → train → evaluate → gate and comparison → export, export only when approved', () => {
    const tasks = leafTasks(training!);
    expect([...tasks.keys()].sort()).toEqual(
      ['compare-with-champion', 'evaluate-model', 'export-serving-artifact', 'gate-model', 'importer', 'preprocess-split', 'publish-run-event', 'train-model', 'validate-data'].sort(),
    );
    expect(tasks.get('export-serving-artifact')!.conditions).toEqual(["inputs.parameter_values['pipelinechannel--gate-model-approved'] == true"]);
    // Failed validation fails the run: the split waits for it, with no condition to skip past it.
    expect(tasks.get('preprocess-split')!.conditions).toHaveLength(0);
    expect(tasks.get('preprocess-split')!.task.dependentTasks).toContain('validate-data');
    expect(tasks.get('validate-data')!.conditions).toHaveLength(0);
    expect(tasks.get('evaluate-model')!.task.dependentTasks).toEqual(['preprocess-split', 'train-model']);
    expect(tasks.get('train-model')!.task.inputs?.parameters?.model_type).toEqual({ componentInputParameter: 'pipelinechannel--model_type' });
  });

  it('the comparison runs after evaluation whatever the gate says, on the same test split, with the champion the run is given', () => {
    for (const spec of [training!, tuning!]) {
      const compare = leafTasks(spec).get('compare-with-champion')!;
      expect(compare.conditions).toHaveLength(0);
      expect(compare.task.dependentTasks).toEqual(['evaluate-model', 'preprocess-split', 'train-model']);
      expect(compare.task.inputs?.artifacts?.test_data).toEqual({ taskOutputArtifact: { producerTask: 'preprocess-split', outputArtifactKey: 'test_data' } });
      expect(compare.task.inputs?.artifacts?.model).toEqual({ taskOutputArtifact: { producerTask: 'train-model', outputArtifactKey: 'model' } });
      for (const name of ['champion_model_uri', 'comparison_metric', 'min_improvement', 'confidence', 'bootstrap_samples', 'random_seed']) {
        expect(compare.task.inputs?.parameters?.[name], name).toEqual({ componentInputParameter: `pipelinechannel--${name}` });
      }
      const outputs = spec.components['comp-compare-with-champion']!.outputDefinitions!;
      expect(Object.fromEntries(Object.entries(outputs.parameters ?? {}).map(([k, v]) => [k, v.parameterType]))).toEqual({ verdict: 'STRING', comparison: 'STRUCT' });
      expect(outputs.artifacts?.champion_comparison?.artifactType.schemaTitle).toBe('system.Artifact');
    }
  });

  it('the body runs in an exit handler whose uncached exit task publishes the run event with the final status', () => {
    for (const spec of [training!, tuning!, evaluation!, tuningRun!]) {
      const root = spec.root.dag!.tasks;
      expect(Object.keys(root).sort()).toEqual(['exit-handler-1', 'publish-run-event']);
      expect(root['publish-run-event']).toMatchObject({
        dependentTasks: ['exit-handler-1'],
        triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
        cachingOptions: {},
        inputs: {
          parameters: {
            status: { taskFinalStatus: { producerTask: 'exit-handler-1' } },
            events_topic: { componentInputParameter: 'events_topic' },
            model_name: { componentInputParameter: 'model_name' },
            request_id: { componentInputParameter: 'request_id' },
          },
        },
      });
    }
  });

  it('neither variant returns outputs: KFP allows none from inside an exit handler; the task names readers use exist', () => {
    for (const spec of [training!, tuning!]) {
      expect(spec.root.outputDefinitions).toBeUndefined();
      expect(spec.root.dag!.outputs).toBeUndefined();
      const tasks = leafTasks(spec);
      for (const name of Object.values(TRAINING_PIPELINE_TASKS)) expect(tasks.has(name), name).toBe(true);
      expect(tasks.get(TRAINING_PIPELINE_TASKS.gate)!.task.componentRef.name).toBe('comp-gate-model');
      expect(spec.components['comp-gate-model']!.outputDefinitions!.parameters).toMatchObject({ approved: {}, reason: {} });
      expect(spec.components['comp-export-serving-artifact']!.outputDefinitions!.artifacts).toHaveProperty('serving_model');
      expect(spec.components['comp-evaluate-model']!.outputDefinitions!.artifacts).toHaveProperty('evaluation');
    }
  });

  it('new inputs and their defaults, on every pipeline', () => {
    for (const spec of [training!, tuning!, evaluation!]) {
      const parameters = spec.root.inputDefinitions!.parameters!;
      expect(parameters.champion_model_uri).toMatchObject({ parameterType: 'STRING', defaultValue: '', isOptional: true });
      expect(parameters.comparison_metric).toMatchObject({ parameterType: 'STRING', defaultValue: 'rmse', isOptional: true });
      expect(parameters.min_improvement).toMatchObject({ parameterType: 'NUMBER_DOUBLE', defaultValue: 0, isOptional: true });
      expect(parameters.confidence).toMatchObject({ parameterType: 'NUMBER_DOUBLE', defaultValue: 0.95, isOptional: true });
      expect(parameters.bootstrap_samples).toMatchObject({ parameterType: 'NUMBER_INTEGER', defaultValue: 1000, isOptional: true });
      for (const name of ['events_topic', 'model_name', 'request_id']) {
        expect(parameters[name], name).toMatchObject({ parameterType: 'STRING', defaultValue: '', isOptional: true });
      }
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
    // The trials train with the seed the refit trains with, and run as the pipeline's service account.
    const tune = tasks.get('tune-hyperparameters')!.task;
    expect(refit.inputs?.parameters?.random_seed).toMatchObject({ componentInputParameter: expect.stringMatching(/(^|--)random_seed$/) as unknown });
    expect(tune.inputs?.parameters?.random_seed).toEqual(refit.inputs?.parameters?.random_seed);
    expect(tune.inputs?.parameters?.service_account).toEqual({ componentInputParameter: (refit.inputs?.parameters?.random_seed as { componentInputParameter: string }).componentInputParameter.replace('random_seed', 'trial_service_account') });
    expect(tuning!.root.inputDefinitions!.parameters!.trial_service_account).toMatchObject({ parameterType: 'STRING', defaultValue: '' });
  });

  it('writes YAML and JSON that parse back to the same spec', () => {
    for (const spec of [training!, tuning!, evaluation!, tuningRun!]) {
      const fromYaml: unknown = parse(specToYaml(spec));
      const fromJson: unknown = JSON.parse(specToJson(spec));
      expect(fromYaml).toEqual(fromJson);
      expect(fromJson).toEqual(JSON.parse(JSON.stringify(spec)));
    }
    expect(specToYaml(training!).split('\n')[0]).toBe('# PIPELINE DEFINITION');
  });

  it('compiles deterministically', () => {
    const again = projectPipelines().map((d) => specToJson(compilePipeline(d)));
    expect(again).toEqual([specToJson(training!), specToJson(tuning!), specToJson(evaluation!), specToJson(tuningRun!)]);
  });

  describe('evaluation pipeline', () => {
    const parameters = () => evaluation!.root.inputDefinitions!.parameters!;

    it('validates and splits the snapshot as training does, then evaluates, gates and compares the imported version; nothing is trained or exported', () => {
      const tasks = leafTasks(evaluation!);
      expect([...tasks.keys()].sort()).toEqual(
        ['compare-with-champion', 'evaluate-model', 'gate-model', 'importer', 'importer-2', 'preprocess-split', 'publish-run-event', 'validate-data'].sort(),
      );
      for (const [, { conditions }] of tasks) expect(conditions).toHaveLength(0);
      // The same split: the same component fed by the same pipeline inputs as in the training pipeline.
      const split = (spec: PipelineSpec) => leafTasks(spec).get('preprocess-split')!.task;
      expect(split(evaluation!).inputs).toEqual(split(training!).inputs);
      expect(split(evaluation!).dependentTasks).toEqual(['importer', 'validate-data']);
      expect(evaluation!.components['comp-preprocess-split']).toEqual(training!.components['comp-preprocess-split']);
      expect(evaluation!.deploymentSpec).toMatchObject({ executors: { 'exec-preprocess-split': training!.deploymentSpec.executors['exec-preprocess-split'] } });
      expect(leafTasks(evaluation!).get('validate-data')!.task.inputs).toEqual(leafTasks(training!).get('validate-data')!.task.inputs);
    });

    it('the candidate is the evaluated version, imported as a model from candidate_model_uri, and is the challenger of the comparison', () => {
      const tasks = leafTasks(evaluation!);
      const candidate = tasks.get(EVALUATION_PIPELINE_TASKS.candidate)!.task;
      expect(candidate.inputs?.parameters?.uri).toEqual({ componentInputParameter: 'pipelinechannel--candidate_model_uri' });
      const importer = evaluation!.deploymentSpec.executors[candidate.componentRef.name.replace(/^comp-/, 'exec-')]!.importer!;
      expect(importer.artifactUri).toEqual({ runtimeParameter: 'uri' });
      expect(importer.typeSchema.schemaTitle).toBe('system.Model');
      const fromCandidate = { taskOutputArtifact: { producerTask: 'importer-2', outputArtifactKey: 'artifact' } };
      expect(tasks.get('evaluate-model')!.task.inputs?.artifacts?.model).toEqual(fromCandidate);
      expect(tasks.get('compare-with-champion')!.task.inputs?.artifacts?.model).toEqual(fromCandidate);
      const testSplit = { taskOutputArtifact: { producerTask: 'preprocess-split', outputArtifactKey: 'test_data' } };
      expect(tasks.get('evaluate-model')!.task.inputs?.artifacts?.test_data).toEqual(testSplit);
      expect(tasks.get('compare-with-champion')!.task.inputs?.artifacts?.test_data).toEqual(testSplit);
      expect(tasks.get('compare-with-champion')!.task.dependentTasks).toEqual(['evaluate-model', 'importer-2', 'preprocess-split']);
      expect(parameters().candidate_model_uri).toEqual({ parameterType: 'STRING', description: "The evaluated version's Vertex Model artifactUri (its serving directory)." });
    });

    it('names the tasks readers use as the training pipeline does, with the same components', () => {
      const tasks = leafTasks(evaluation!);
      for (const name of Object.values(EVALUATION_PIPELINE_TASKS)) expect(tasks.has(name), name).toBe(true);
      for (const key of ['evaluation', 'gate', 'comparison', 'runEvent'] as const) {
        expect(EVALUATION_PIPELINE_TASKS[key]).toBe(TRAINING_PIPELINE_TASKS[key]);
        const component = tasks.get(TRAINING_PIPELINE_TASKS[key])!.task.componentRef.name;
        expect(evaluation!.components[component], key).toEqual(training!.components[component]);
      }
      expect(tasks.has(TRAINING_PIPELINE_TASKS.export)).toBe(false);
      expect(evaluation!.root.outputDefinitions).toBeUndefined();
    });

    it("declares the training pipeline's data, split, gate, comparison and event inputs with the same types and defaults, and nothing about training", () => {
      const trainingParameters = training!.root.inputDefinitions!.parameters!;
      const shared = Object.keys(parameters()).filter((name) => name !== 'candidate_model_uri');
      expect(shared.sort()).toEqual(Object.keys(trainingParameters).filter((name) => !['model_type', 'hyperparameters'].includes(name)).sort());
      for (const name of shared) expect(parameters()[name], name).toEqual(trainingParameters[name]);
    });
  });

  describe('tuning pipeline', () => {
    const parameters = () => tuningRun!.root.inputDefinitions!.parameters!;

    it('validates and splits as training does, tunes once on Vertex, then summarizes the trials; nothing is trained, judged or exported', () => {
      const tasks = leafTasks(tuningRun!);
      expect([...tasks.keys()].sort()).toEqual(
        ['importer', 'preprocess-split', 'publish-run-event', 'summarize-tuning', 'tune-hyperparameters', 'validate-data'].sort(),
      );
      for (const [, { conditions }] of tasks) expect(conditions).toHaveLength(0);
      const split = (spec: PipelineSpec) => leafTasks(spec).get('preprocess-split')!.task;
      expect(split(tuningRun!).inputs).toEqual(split(training!).inputs);
      expect(tuningRun!.components['comp-preprocess-split']).toEqual(training!.components['comp-preprocess-split']);
      const tune = tasks.get(TUNING_PIPELINE_TASKS.tune)!.task;
      for (const name of ['train_data', 'validation_data', 'feature_schema']) {
        expect(tune.inputs?.artifacts?.[name], name).toEqual({ taskOutputArtifact: { producerTask: 'preprocess-split', outputArtifactKey: name } });
      }
      // The study chooses the model type: none is passed to the tune step.
      expect(tune.inputs?.parameters?.model_type).toBeUndefined();
      expect(tune.inputs?.parameters?.labels).toEqual({ componentInputParameter: 'pipelinechannel--tuning_job_labels' });
      expect(tune.inputs?.parameters?.early_stopping).toEqual({ componentInputParameter: 'pipelinechannel--early_stopping' });
      expect(tune.inputs?.parameters?.poll_interval_seconds).toEqual({ componentInputParameter: 'pipelinechannel--tuning_poll_seconds' });
      // Trials are seeded as the split and the summary are (the refit run gets the same random_seed), and run as the pipeline's account.
      expect(tune.inputs?.parameters?.random_seed).toEqual({ componentInputParameter: 'pipelinechannel--random_seed' });
      expect(tune.inputs?.parameters?.service_account).toEqual({ componentInputParameter: 'pipelinechannel--trial_service_account' });
      expect(parameters().trial_service_account).toMatchObject({ parameterType: 'STRING', isOptional: true, defaultValue: '' });
      const summary = tasks.get(TUNING_PIPELINE_TASKS.summary)!.task;
      expect(summary.inputs?.artifacts?.trials).toEqual({ taskOutputArtifact: { producerTask: TUNING_PIPELINE_TASKS.tune, outputArtifactKey: 'trials' } });
      expect(summary.dependentTasks).toEqual([TUNING_PIPELINE_TASKS.tune]);
      expect(tuningRun!.components['comp-summarize-tuning']!.outputDefinitions!.artifacts?.parameter_importance?.artifactType.schemaTitle).toBe('system.Artifact');
      expect(tuningRun!.root.outputDefinitions).toBeUndefined();
    });

    it('declares the tuning inputs with the contract defaults, the study spanning every model type', () => {
      expect(parameters().study_spec_parameters).toMatchObject({
        parameterType: 'LIST', isOptional: true, defaultValue: JSON.parse(JSON.stringify(modelTypeStudyParameters(DEFAULT_SEARCH_SPACE))) as unknown,
      });
      const defaults = Object.fromEntries(Object.entries(parameters()).map(([k, v]) => [k, v.defaultValue]));
      expect(defaults).toMatchObject({
        location: 'us-central1', metric_id: 'rmse', metric_goal: 'MINIMIZE', algorithm: 'ALGORITHM_UNSPECIFIED', max_trial_count: 20,
        parallel_trial_count: 3, max_failed_trial_count: 5, early_stopping: 'decay_curve', tuning_job_labels: {}, tuning_poll_seconds: 30,
      });
      expect(parameters().project).toEqual({ parameterType: 'STRING' });
      expect(parameters().tuning_job_labels!.parameterType).toBe('STRUCT');
    });

    it("declares the training pipeline's snapshot, split and event inputs with the same types and defaults, and no model type or judging inputs", () => {
      const trainingParameters = training!.root.inputDefinitions!.parameters!;
      const tuningOnly = ['project', 'location', 'study_spec_parameters', 'metric_id', 'metric_goal', 'algorithm', 'max_trial_count',
        'parallel_trial_count', 'max_failed_trial_count', 'early_stopping', 'tuning_job_labels', 'tuning_poll_seconds', 'trial_service_account'];
      const shared = Object.keys(parameters()).filter((name) => !tuningOnly.includes(name));
      const judging = ['thresholds', 'champion_model_uri', 'comparison_metric', 'min_improvement', 'confidence', 'bootstrap_samples'];
      expect(shared.sort()).toEqual(Object.keys(trainingParameters).filter((name) => ![...judging, 'model_type', 'hyperparameters'].includes(name)).sort());
      for (const name of shared) expect(parameters()[name], name).toEqual(trainingParameters[name]);
    });
  });
});
