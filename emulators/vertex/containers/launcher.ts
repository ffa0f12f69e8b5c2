// Runs a "container" on this machine: the image map picks the host command, the environment is
// rebuilt from scratch (no leaking of the caller's secrets or settings), and `/gcs/...` paths point
// at the local storage root the way Vertex's Cloud Storage mount does.
import { resolve } from 'node:path';
import { hostArgv } from './argv.js';
import { rewriteGcsMount } from './gcs-paths.js';
import { ImageMap } from './image-map.js';
import { runProcessGroup } from './process-group.js';

export interface LaunchRequest {
  image: string;
  command: readonly string[];
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Working directory of the process (created if missing). */
  workDir: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Aborting kills the process group (SIGTERM, then SIGKILL after a grace period). */
  signal?: AbortSignal;
}

export interface LaunchResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the process could not be started, when it could not. */
  error?: string;
}

/** What the pipeline engine needs from a launcher; tests may supply their own. */
export interface ContainerLauncher {
  /** Rejects with `UnmappedImageError` when the image has no local mapping. */
  launch(request: LaunchRequest): Promise<LaunchResult>;
}

export interface LocalContainerLauncherOptions {
  /** Storage emulator root: `gs://b/p` lives at `<storageRoot>/b/p`. */
  storageRoot: string;
  /** Default: image-map.json next to this module. */
  imageMap?: ImageMap;
  /** Default 3000 ms. */
  killGraceMs?: number;
}

/** Native maths libraries would otherwise start a thread per core in every parallel task. */
const THREAD_LIMITS: Readonly<Record<string, string>> = {
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  NUMEXPR_NUM_THREADS: '1',
  VECLIB_MAXIMUM_THREADS: '1',
};

export class LocalContainerLauncher implements ContainerLauncher {
  readonly storageRoot: string;
  readonly imageMap: ImageMap;
  private readonly killGraceMs: number;

  constructor(options: LocalContainerLauncherOptions) {
    this.storageRoot = resolve(options.storageRoot);
    this.imageMap = options.imageMap ?? ImageMap.load();
    this.killGraceMs = options.killGraceMs ?? 3000;
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const mapping = this.imageMap.require(request.image);
    const rewrite = (s: string) => rewriteGcsMount(s, this.storageRoot);
    const argv = hostArgv(request.image, mapping, request.command.map(rewrite), request.args.map(rewrite));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...THREAD_LIMITS,
      PYTHONUNBUFFERED: '1',
      // Lets code that builds `/gcs/...` paths itself find the emulated mount.
      LOCAL_GCS_ROOT: this.storageRoot,
      ...mapping.env,
    };
    for (const [k, v] of Object.entries(request.env)) env[k] = rewrite(v);
    return runProcessGroup({
      argv,
      env,
      cwd: request.workDir,
      logFile: request.logFile,
      killGraceMs: this.killGraceMs,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }
}
