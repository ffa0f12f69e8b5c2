// The machine types Vertex AI offers for custom training and for prediction, so that a typo such
// as `n1-standrd-4` is refused before the request is sent (Vertex refuses it only after queueing).
import { closestName } from '../../common/suggest.js';

/** Where a MachineSpec is used: training (worker pools, trials) or prediction (deployments, batch). */
export type MachineUse = 'training' | 'prediction';

interface Family {
  readonly prefix: string;
  readonly sizes: readonly (number | string)[];
  readonly uses: readonly MachineUse[];
}

const BOTH: readonly MachineUse[] = ['training', 'prediction'];
const TRAINING: readonly MachineUse[] = ['training'];

/*
 * Built from Google's "Configure compute resources for custom training"
 * (cloud.google.com/vertex-ai/docs/training/configure-compute) and "Configure compute resources
 * for prediction" (cloud.google.com/vertex-ai/docs/predictions/configure-compute), as read on
 * 2026-12-02, plus the GPU and TPU families of machine-spec.ts. Sizes are the vCPU counts
 * (GPU families: the GPU count with `g`; TPU families: chips with `t`). Where the two pages
 * disagree on the smallest size of a family, the union is kept: this table exists to catch
 * misspellings, and Vertex still has the last word on capacity.
 */
const FAMILIES: readonly Family[] = [
  { prefix: 'n1-standard', sizes: [2, 4, 8, 16, 32, 64, 96], uses: BOTH },
  { prefix: 'n1-highmem', sizes: [2, 4, 8, 16, 32, 64, 96], uses: BOTH },
  { prefix: 'n1-highcpu', sizes: [2, 4, 8, 16, 32, 64, 96], uses: BOTH },
  { prefix: 'n2-standard', sizes: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128], uses: BOTH },
  { prefix: 'n2-highmem', sizes: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128], uses: BOTH },
  { prefix: 'n2-highcpu', sizes: [2, 4, 8, 16, 32, 48, 64, 80, 96], uses: BOTH },
  { prefix: 'n2d-standard', sizes: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224], uses: BOTH },
  { prefix: 'n2d-highmem', sizes: [2, 4, 8, 16, 32, 48, 64, 80, 96], uses: BOTH },
  { prefix: 'n2d-highcpu', sizes: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224], uses: BOTH },
  { prefix: 'e2-standard', sizes: [2, 4, 8, 16, 32], uses: BOTH },
  { prefix: 'e2-highmem', sizes: [2, 4, 8, 16], uses: BOTH },
  { prefix: 'e2-highcpu', sizes: [2, 4, 8, 16, 32], uses: BOTH },
  { prefix: 'c2-standard', sizes: [4, 8, 16, 30, 60], uses: BOTH },
  { prefix: 'c2d-standard', sizes: [2, 4, 8, 16, 32, 56, 112], uses: BOTH },
  { prefix: 'c2d-highmem', sizes: [2, 4, 8, 16, 32, 56, 112], uses: BOTH },
  { prefix: 'c2d-highcpu', sizes: [2, 4, 8, 16, 32, 56, 112], uses: BOTH },
  { prefix: 'c3-standard', sizes: [4, 8, 22, 44, 88, 176], uses: BOTH },
  { prefix: 'c3-highmem', sizes: [4, 8, 22, 44, 88, 176], uses: BOTH },
  { prefix: 'c3-highcpu', sizes: [4, 8, 22, 44, 88, 176], uses: BOTH },
  { prefix: 'm1-ultramem', sizes: [40, 80, 160], uses: TRAINING },
  { prefix: 'm1-megamem', sizes: [96], uses: TRAINING },
  { prefix: 'g2-standard', sizes: [4, 8, 12, 16, 24, 32, 48, 96], uses: BOTH },
  { prefix: 'a2-highgpu', sizes: ['1g', '2g', '4g', '8g'], uses: BOTH },
  { prefix: 'a2-megagpu', sizes: ['16g'], uses: BOTH },
  { prefix: 'a2-ultragpu', sizes: ['1g', '2g', '4g', '8g'], uses: BOTH },
  { prefix: 'a3-highgpu', sizes: ['1g', '2g', '4g', '8g'], uses: BOTH },
  { prefix: 'a3-megagpu', sizes: ['8g'], uses: BOTH },
  { prefix: 'a3-ultragpu', sizes: ['8g'], uses: BOTH },
  { prefix: 'a4-highgpu', sizes: ['8g'], uses: BOTH },
  { prefix: 'a4x-highgpu', sizes: ['4g'], uses: BOTH },
  { prefix: 'ct5lp-hightpu', sizes: ['1t', '4t', '8t'], uses: BOTH },
  { prefix: 'ct5p-hightpu', sizes: ['4t'], uses: TRAINING },
  { prefix: 'ct6e-standard', sizes: ['1t', '4t', '8t'], uses: BOTH },
];

/** Legacy TPU VMs (TPU_V2/TPU_V3 × 8): training only. */
const SINGLE_TYPES: readonly { name: string; uses: readonly MachineUse[] }[] = [{ name: 'cloud-tpu', uses: TRAINING }];

const BY_USE: ReadonlyMap<MachineUse, ReadonlySet<string>> = new Map(
  (['training', 'prediction'] as const).map((use) => [
    use,
    new Set([
      ...FAMILIES.filter((f) => f.uses.includes(use)).flatMap((f) => f.sizes.map((s) => `${f.prefix}-${s}`)),
      ...SINGLE_TYPES.filter((t) => t.uses.includes(use)).map((t) => t.name),
    ]),
  ]),
);

/** Every machine type offered for `use` (or for either use when undefined). */
export function machineTypes(use?: MachineUse): ReadonlySet<string> {
  if (use !== undefined) return BY_USE.get(use)!;
  return new Set([...BY_USE.get('training')!, ...BY_USE.get('prediction')!]);
}

/** What is wrong with `machineType` for `use`, with a did-you-mean; undefined when it is offered. */
export function machineTypeProblem(machineType: string, use?: MachineUse): string | undefined {
  const offered = machineTypes(use);
  if (offered.has(machineType)) return undefined;
  const where = use === undefined ? 'Vertex AI' : `Vertex AI ${use}`;
  const other: MachineUse | undefined = use === 'training' ? 'prediction' : use === 'prediction' ? 'training' : undefined;
  if (other !== undefined && machineTypes(other).has(machineType)) return `${JSON.stringify(machineType)} is offered for ${other}, not for ${use}`;
  const guess = closestName(machineType, offered);
  return `${JSON.stringify(machineType)} is not a machine type ${where} offers${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`;
}

/** GPU machine families name GPUs, not vCPUs: vCPUs per GPU. */
const VCPUS_PER_GPU: Readonly<Record<string, number>> = { 'a2-highgpu': 12, 'a2-ultragpu': 12, 'a2-megagpu': 6, 'a3-highgpu': 26, 'a3-megagpu': 26 };
/** Shared-core machine types: their vCPU count is not in the name. */
const SHARED_CORE: Readonly<Record<string, number>> = { 'e2-micro': 2, 'e2-small': 2, 'e2-medium': 2, 'f1-micro': 1, 'g1-small': 1 };

/** vCPUs of a Compute Engine machine type from its name (`n1-standard-8` → 8); undefined when the name doesn't say. */
export function machineTypeCpus(machineType: string): number | undefined {
  const name = machineType.trim().toLowerCase();
  const shared = SHARED_CORE[name];
  if (shared !== undefined) return shared;
  const gpus = /^([a-z0-9]+-[a-z]+)-(\d+)g$/.exec(name);
  if (gpus) {
    const perGpu = VCPUS_PER_GPU[gpus[1]!];
    return perGpu === undefined ? undefined : perGpu * Number(gpus[2]);
  }
  const plain = /^[a-z][a-z0-9]*-[a-z]+-(\d+)(?:-lssd)?$/.exec(name);
  return plain ? Number(plain[1]) : undefined;
}
