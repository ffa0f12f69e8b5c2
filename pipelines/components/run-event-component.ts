// The training pipeline's exit task: publishes the run's end (PipelineJob, final state, model,
// request id) to Pub/Sub, where the control plane's onPipelineRunEvent picks it up.
import { containerComponent, param } from '../dsl/index.js';
import { COMPONENT_IMAGE, flagArgs, moduleCommand } from './image.js';

export function runEventComponent(image: string = COMPONENT_IMAGE) {
  return containerComponent({
    name: 'publish_run_event',
    image,
    inputs: {
      /** Wired by the compiler to the exit handler's group: its state, error and the PipelineJob's resource name. */
      status: param.taskFinalStatus(),
      events_topic: param.string({ default: '', description: "projects/{project}/topics/{topic}; '' publishes nothing." }),
      model_name: param.string({ default: '' }),
      request_id: param.string({ default: '' }),
    },
    outputs: {
      message_id: param.string({ description: "The published message's id; '' when nothing was published." }),
    },
    command: () => moduleCommand('publish_run_event'),
    args: (io) => flagArgs(io),
  });
}
