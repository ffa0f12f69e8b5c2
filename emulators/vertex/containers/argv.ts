// The host command line for a container: Kubernetes semantics (command replaces the image's
// ENTRYPOINT, args follow) applied to the image's mapping.
import type { ImageMapping } from './image-map.js';

export const HOST_PYTHON = '/usr/bin/python3';

const PYTHON = /^(?:.*\/)?python(?:3(?:\.\d+)*)?$/;

export function hostArgv(image: string, mapping: ImageMapping, command: readonly string[], args: readonly string[]): string[] {
  if (mapping.run === 'exec') return [...(mapping.entrypoint ?? []), ...command, ...args];
  const program = command.length > 0 ? [...command] : [...(mapping.entrypoint ?? [])];
  if (program.length === 0) {
    throw new Error(`Container image '${image}' was given no command, and its image map entry '${mapping.pattern}' declares no entrypoint`);
  }
  if (mapping.run === 'python3' && PYTHON.test(program[0]!)) program[0] = HOST_PYTHON;
  return [...program, ...args];
}
