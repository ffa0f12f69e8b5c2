// Container images as local commands, for the Vertex emulator's pipelines and jobs.
export { LocalContainerLauncher } from './launcher.js';
export type { ContainerLauncher, LaunchRequest, LaunchResult, LocalContainerLauncherOptions } from './launcher.js';
export { UnmappedImageError } from './image-map.js';
export type { ImageMapping, RunMode } from './image-map.js';
export { gcsUriToLocalPath, parseGcsUri } from './gcs-paths.js';
