// Google's documented limits on Vertex AI request fields, each written once: the request builders
// fail on them before sending and the proto validator (and so the local Vertex) reports them.
// Each check returns what is wrong, or undefined when the value is within the limit.

/** "The name can be up to 128 characters long and can consist of any UTF-8 characters." (protos). */
const DISPLAY_NAME_MAX_CHARS = 128;

/** Boot disks: 100 GB (Vertex's default) to 64 TB for pd-ssd and pd-standard. */
const MIN_BOOT_DISK_GB = 100;
const MAX_BOOT_DISK_GB = 64_000;
/** DiskSpec.boot_disk_type: "Valid values: pd-ssd, pd-standard or hyperdisk-balanced" (protos). */
export const BOOT_DISK_TYPES = ['pd-ssd', 'pd-standard', 'hyperdisk-balanced'] as const;

/** Scheduling.timeout: Vertex wants a positive whole number of seconds; its default is 7 days. */
const MIN_JOB_TIMEOUT_SECONDS = 1;

/** Google counts Unicode code points, not UTF-16 units. */
function charCount(text: string): number {
  return [...text].length;
}

function maxLengthProblem(text: string, max: number): string | undefined {
  const length = charCount(text);
  return length > max ? `must be at most ${max} characters, got ${length}` : undefined;
}

export function displayNameProblem(name: string): string | undefined {
  return maxLengthProblem(name, DISPLAY_NAME_MAX_CHARS);
}

export function integerRangeProblem(value: number, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (!Number.isInteger(value)) return `must be an integer, got ${value}`;
  return value < min || value > max ? `must be in [${min}, ${max}], got ${value}` : undefined;
}

export function bootDiskSizeProblem(gb: number): string | undefined {
  const problem = integerRangeProblem(gb, MIN_BOOT_DISK_GB, MAX_BOOT_DISK_GB);
  return problem === undefined ? undefined : `boot disks hold ${MIN_BOOT_DISK_GB}-${MAX_BOOT_DISK_GB} GB: ${problem}`;
}

export function bootDiskTypeProblem(type: string): string | undefined {
  return (BOOT_DISK_TYPES as readonly string[]).includes(type) ? undefined : `must be one of ${BOOT_DISK_TYPES.join(', ')}, got ${JSON.stringify(type)}`;
}

/** `seconds` of a job timeout (fractions allowed in the value, not in Vertex's answer). */
export function jobTimeoutProblem(seconds: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds < MIN_JOB_TIMEOUT_SECONDS) return `must be at least ${MIN_JOB_TIMEOUT_SECONDS}s, got ${seconds}s`;
  return undefined;
}

/** Replica counts: at least `min` (1 for a used pool or a deployment). */
export function replicaCountProblem(count: number, min = 1): string | undefined {
  return integerRangeProblem(count, min);
}
