// The environment for reading a deployed project: the caller's, less every variable that points a
// Google client at an emulator, so a shell that also runs the local cloud never reads it instead.

/** True for `*_EMULATOR_HOST` and `CLOUDSDK_API_ENDPOINT_OVERRIDES_*`. */
export function pointsAtEmulator(name: string): boolean {
  return name.endsWith('_EMULATOR_HOST') || name.startsWith('CLOUDSDK_API_ENDPOINT_OVERRIDES_');
}

/** `env` without the variables that redirect Google clients (a copy; `env` is untouched). */
export function deployedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !pointsAtEmulator(name)));
}
