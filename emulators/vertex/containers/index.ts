// Container images as local commands, for the Vertex emulator's pipelines and jobs.
export { LocalContainerLauncher } from './launcher.js';
export type { ContainerLauncher, LaunchRequest, LaunchResult, LocalContainerLauncherOptions } from './launcher.js';
export { DEFAULT_IMAGE_MAP_FILE, ImageMap, ImageMapError, UnmappedImageError, REPO_ROOT } from './image-map.js';
export type { ImageMapping, RunMode } from './image-map.js';
export { gcsUriToLocalPath, parseGcsUri, rewriteGcsMount } from './gcs-paths.js';
