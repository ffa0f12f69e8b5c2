// Runs a "container" on this machine: the image map picks the host command, the environment is
// rebuilt from scratch (no leaking of the caller's secrets or settings), `/gcs/...` paths point
// at the local storage root the way Vertex's Cloud Storage mount does, and the process is pinned
// to the cores its task asks for (as a container sees its machine's cores and no others).
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { hostArgv } from './argv.js';
import type { Allotment } from './cpu-allotment.js';
import { CoreAllocator, findTaskset } from './cpu-allotment.js';
import { rewriteGcsMount } from './gcs-paths.js';
import { ImageMap } from './image-map.js';
import { runProcessGroup } from './process-group.js';
import type { GroupTracker } from './process-group.js';

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
  /**
   * Cores the container asks for (a task's CPU limit, a machine type's vCPUs); it gets that many of
   * this machine's (at most all), pinned with CPU affinity. Unset: the process is not pinned.
   */
  cpus?: number;
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
  /** Default: one allocator over this process's cores. */
  cores?: CoreAllocator;
  /** Pinning command (default: taskset when the machine has it); null: never pin. */
  taskset?: string | null;
  /** Where launched process groups are recorded for reaping after a crash (see group-registry.ts). */
  groups?: GroupTracker;
}

/** Native maths libraries size their pools to these: the container's cores (1 for an unpinned process). */
const THREAD_VARIABLES = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMEXPR_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS'];

function canRun(program: string | undefined, path: string | undefined): boolean {
  if (program === undefined || program === '') return false;
  if (program.includes('/')) return existsSync(program);
  return (path ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}

function threadLimits(threads: number): Record<string, string> {
  return Object.fromEntries(THREAD_VARIABLES.map((name) => [name, String(threads)]));
}

export class LocalContainerLauncher implements ContainerLauncher {
  readonly storageRoot: string;
  readonly imageMap: ImageMap;
  private readonly killGraceMs: number;
  private readonly cores: CoreAllocator;
  private readonly taskset: string | undefined;
  private readonly groups: GroupTracker | undefined;

  constructor(options: LocalContainerLauncherOptions) {
    this.storageRoot = resolve(options.storageRoot);
    this.imageMap = options.imageMap ?? ImageMap.load();
    this.killGraceMs = options.killGraceMs ?? 3000;
    this.cores = options.cores ?? new CoreAllocator();
    this.taskset = options.taskset === null ? undefined : (options.taskset ?? findTaskset());
    this.groups = options.groups;
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const mapping = this.imageMap.require(request.image);
    const rewrite = (s: string) => rewriteGcsMount(s, this.storageRoot);
    let argv = hostArgv(request.image, mapping, request.command.map(rewrite), request.args.map(rewrite));
    // Without a way to pin, the process sees every core: one thread per pool keeps parallel tasks from oversubscribing.
    // A program that can't be found isn't wrapped, so that it fails to start as itself, not as taskset's exit 127.
    const pin = request.cpus !== undefined && this.taskset !== undefined && canRun(argv[0], process.env.PATH);
    const allotment: Allotment | undefined = pin && request.cpus !== undefined ? this.cores.allot(request.cpus) : undefined;
    if (allotment && this.taskset) argv = [this.taskset, '--cpu-list', allotment.cores.join(','), ...argv];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...threadLimits(allotment?.cores.length ?? 1),
      PYTHONUNBUFFERED: '1',
      // Lets code that builds `/gcs/...` paths itself find the emulated mount.
      LOCAL_GCS_ROOT: this.storageRoot,
      ...mapping.env,
    };
    for (const [k, v] of Object.entries(request.env)) env[k] = rewrite(v);
    try {
      return await runProcessGroup({
        argv,
        env,
        cwd: request.workDir,
        logFile: request.logFile,
        killGraceMs: this.killGraceMs,
        ...(this.groups ? { groups: this.groups } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } finally {
      allotment?.release();
    }
  }
}
