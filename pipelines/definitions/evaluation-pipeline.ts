// The evaluation pipeline: an existing model version judged on a fresh snapshot, as a training run
// would judge a new model. The snapshot is validated and split exactly as the training pipeline
// does it (the same components and inputs, so a given seed gives the same test split); the
// version's serving directory (its Vertex Model artifactUri) is imported as the model, evaluated on
// the test split, gated with the thresholds and compared with the champion (the candidate is the
// challenger). The task names are the training pipeline's (TRAINING_PIPELINE_TASKS, minus the
// export: nothing is exported or uploaded), so the control plane reads both kinds of run alike.
import { artifact, definePipeline, param } from '../dsl/index.js';
import { COMPONENT_IMAGE } from '../components/image.js';
import { trainingComponents } from '../components/training-components.js';
import { announcedRun, judgedModel, judgingInputs, runEventInputs, snapshotInputs, splitInputs, validatedSplit } from './shared-steps.js';

export interface EvaluationPipelineOptions {
  /** Container image of the project's Python components. */
  componentImage?: string;
}

export const EVALUATION_PIPELINE_NAME = 'evaluation-pipeline';

export function evaluationPipeline(options: EvaluationPipelineOptions = {}) {
  const image = options.componentImage ?? COMPONENT_IMAGE;
  return definePipeline(
    {
      name: EVALUATION_PIPELINE_NAME,
      description: 'Evaluate an existing model version on a fresh snapshot: validate and split as training does, evaluate, gate and compare with the champion.',
      inputs: {
        ...snapshotInputs,
        candidate_model_uri: param.string({
          description: "The evaluated version's Vertex Model artifactUri (its serving directory).",
        }),
        ...splitInputs,
        ...judgingInputs,
        ...runEventInputs,
      },
    },
    (p, inputs) => {
      const c = trainingComponents(image);
      announcedRun(p, image, inputs, () => {
        const split = validatedSplit(p, c, inputs);
        // Loaded by the components with model_files.load_model, which reads serving directories.
        const candidate = p.importer({ artifactUri: inputs.candidate_model_uri, artifactType: artifact.model() });
        judgedModel(p, c, inputs, candidate.outputs.artifact, split.test);
      });
    },
  );
}
