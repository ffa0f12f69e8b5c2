// Generated names, exactly as KFP's compiler forms them.
import type { PipelineChannel } from '../dsl/channels.js';
import { sanitizeName } from '../dsl/builder.js';

export { uniqueName } from '../dsl/builder.js';

/** Compiler-injected input name for a channel: `pipelinechannel--<full name>`. */
export function channelInputName(channel: PipelineChannel | string): string {
  return `pipelinechannel--${typeof channel === 'string' ? channel : channel.fullName}`;
}

export function componentName(taskOrGroupName: string): string {
  return `comp-${sanitizeName(taskOrGroupName)}`;
}

export function executorLabel(taskName: string): string {
  return `exec-${sanitizeName(taskName)}`;
}

export function inputValuePlaceholder(inputName: string): string {
  return `{{$.inputs.parameters['${inputName}']}}`;
}
