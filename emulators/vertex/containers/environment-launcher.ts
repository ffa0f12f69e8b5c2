// Containers on Vertex reach Google's APIs from inside (a tuning component submits its job, a
// trainer reads BigQuery). Locally every container the emulator launches gets the local cloud's
// environment instead: the emulator hosts, the project, and this emulator's own address.
import type { ContainerLauncher, LaunchRequest, LaunchResult } from './launcher.js';

export class EnvironmentLauncher implements ContainerLauncher {
  constructor(
    private readonly inner: ContainerLauncher,
    /** Read at each launch: the emulator's own address is known only once it listens. */
    private readonly baseEnv: () => Readonly<Record<string, string>>,
  ) {}

  launch(request: LaunchRequest): Promise<LaunchResult> {
    // The job's own env wins over the platform's.
    return this.inner.launch({ ...request, env: { ...this.baseEnv(), ...request.env } });
  }
}
