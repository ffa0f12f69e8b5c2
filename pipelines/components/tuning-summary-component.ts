// The tuning pipeline's last step: each study parameter's importance to the metric, from the
// tune step's trials (a random forest and permutation importance; see summarize_tuning.py).
import { artifact, containerComponent, param } from '../dsl/index.js';
import { COMPONENT_IMAGE, flagArgs, moduleCommand } from './image.js';

export function tuningSummaryComponent(image: string = COMPONENT_IMAGE) {
  return containerComponent({
    name: 'summarize_tuning',
    image,
    inputs: {
      trials: artifact.generic({ description: "The tune step's trials JSON." }),
      min_trials: param.int({ default: 5, description: 'Succeeded trials needed to rank parameters; fewer leave the list empty.' }),
      random_seed: param.int({ default: 42 }),
    },
    outputs: {
      parameter_importance: artifact.generic({
        description: 'JSON {metric: {id, goal}, parameterImportance: [{parameter, importance}]}: shares summing to 1, largest first.',
      }),
    },
    command: () => moduleCommand('summarize_tuning'),
    args: (io) => flagArgs(io),
  });
}
