// Which accelerators go on which machine types, in what numbers. Vertex rejects other
// combinations only after the job was queued, so they are checked before sending.
import type { AcceleratorTypeName, IMachineSpec } from './proto-types.js';
import { fail, failOn } from './errors.js';
import type { MachineUse } from './machine-types.js';
import { machineTypeProblem } from './machine-types.js';

export interface MachineSpecInput {
  /** e.g. `n1-standard-8`, `a2-highgpu-1g`, `ct5lp-hightpu-4t`, `cloud-tpu`. */
  readonly machineType: string;
  readonly acceleratorType?: AcceleratorTypeName;
  readonly acceleratorCount?: number;
  /** TPU slice shape for ct5lp/ct5p/ct6e machines, e.g. `2x2`, `4x4`, `2x2x1`. */
  readonly tpuTopology?: string;
}

/**
 * GPU compatibility (Compute Engine / Vertex AI GPU tables, 2025):
 * - T4, P4, P100 attach to N1 machines in 1, 2 or 4; V100 in 1, 2, 4 or 8.
 * - L4 comes bundled in G2: g2-standard-4..32 have 1, -24 has 2, -48 has 4, -96 has 8.
 * - A100 40GB in A2 High (a2-highgpu-{1,2,4,8}g) and A2 Mega (a2-megagpu-16g);
 *   A100 80GB in A2 Ultra (a2-ultragpu-{1,2,4,8}g).
 * - H100 80GB in A3 High (a3-highgpu-{1,2,4,8}g); A3 Mega (a3-megagpu-8g) uses the separate
 *   NVIDIA_H100_MEGA_80GB enum value; H200 in A3 Ultra (a3-ultragpu-8g);
 *   B200 in A4 (a4-highgpu-8g); GB200 in A4X (a4x-highgpu-4g).
 * The count on bundled machine types must equal the number in the name.
 */
interface GpuRule {
  readonly accelerator: AcceleratorTypeName;
  readonly machineType: RegExp;
  readonly counts: (machineType: string) => readonly number[];
}

const N1 = /^n1-(?:standard|highmem|highcpu)-\d+$/;
const trailingGpuCount = (machineType: string): readonly number[] => {
  const match = /-(\d+)g$/.exec(machineType);
  return match === null ? [] : [Number(match[1])];
};
const G2_COUNTS: Readonly<Record<string, number>> = {
  'g2-standard-4': 1, 'g2-standard-8': 1, 'g2-standard-12': 1, 'g2-standard-16': 1,
  'g2-standard-32': 1, 'g2-standard-24': 2, 'g2-standard-48': 4, 'g2-standard-96': 8,
};

const GPU_RULES: readonly GpuRule[] = [
  { accelerator: 'NVIDIA_TESLA_T4', machineType: N1, counts: () => [1, 2, 4] },
  { accelerator: 'NVIDIA_TESLA_P4', machineType: N1, counts: () => [1, 2, 4] },
  { accelerator: 'NVIDIA_TESLA_P100', machineType: N1, counts: () => [1, 2, 4] },
  { accelerator: 'NVIDIA_TESLA_V100', machineType: N1, counts: () => [1, 2, 4, 8] },
  { accelerator: 'NVIDIA_L4', machineType: /^g2-standard-\d+$/, counts: (m) => (G2_COUNTS[m] === undefined ? [] : [G2_COUNTS[m]]) },
  { accelerator: 'NVIDIA_TESLA_A100', machineType: /^a2-highgpu-(?:1|2|4|8)g$|^a2-megagpu-16g$/, counts: trailingGpuCount },
  { accelerator: 'NVIDIA_A100_80GB', machineType: /^a2-ultragpu-(?:1|2|4|8)g$/, counts: trailingGpuCount },
  { accelerator: 'NVIDIA_H100_80GB', machineType: /^a3-highgpu-(?:1|2|4|8)g$/, counts: trailingGpuCount },
  { accelerator: 'NVIDIA_H100_MEGA_80GB', machineType: /^a3-megagpu-8g$/, counts: trailingGpuCount },
  { accelerator: 'NVIDIA_H200_141GB', machineType: /^a3-ultragpu-8g$/, counts: trailingGpuCount },
  { accelerator: 'NVIDIA_B200', machineType: /^a4-highgpu-8g$/, counts: trailingGpuCount },
  { accelerator: 'NVIDIA_GB200', machineType: /^a4x-highgpu-4g$/, counts: trailingGpuCount },
];

/** Machine families that always come with GPUs attached. */
const GPU_BUNDLED = /^(?:a2|a3|a4|a4x|g2)-/;

/**
 * TPU rules:
 * - Legacy TPU VMs: machineType `cloud-tpu` with TPU_V2 or TPU_V3, acceleratorCount 8.
 * - v5e (ct5lp-hightpu-{1t,4t,8t}), v5p (ct5p-hightpu-4t), v6e (ct6e-standard-{1t,4t,8t}):
 *   the machine type and `tpuTopology` choose the slice; 1t hosts a 1x1 slice, 8t a 2x4
 *   slice, 4t a 2x2 slice or a multi-host slice of 4-chip hosts. v5p slices are 3D.
 *   The v1 AcceleratorType enum has TPU_V5_LITEPOD (v5e) but no value for v5p or v6e,
 *   so acceleratorType stays unset for those.
 */
interface TpuRule {
  readonly machineType: RegExp;
  readonly generation: 'v5e' | 'v5p' | 'v6e';
  readonly accelerator: AcceleratorTypeName | undefined;
  readonly topologies: (machineType: string) => readonly string[] | 'any-3d';
}

const TPU_2D_MULTI_HOST = ['2x2', '4x4', '4x8', '8x8', '8x16', '16x16'];
const tpu2dTopologies = (machineType: string): readonly string[] => {
  if (machineType.endsWith('-1t')) return ['1x1'];
  if (machineType.endsWith('-8t')) return ['2x4'];
  return TPU_2D_MULTI_HOST;
};

const TPU_RULES: readonly TpuRule[] = [
  { machineType: /^ct5lp-hightpu-(?:1t|4t|8t)$/, generation: 'v5e', accelerator: 'TPU_V5_LITEPOD', topologies: tpu2dTopologies },
  { machineType: /^ct5p-hightpu-4t$/, generation: 'v5p', accelerator: undefined, topologies: () => 'any-3d' },
  { machineType: /^ct6e-standard-(?:1t|4t|8t)$/, generation: 'v6e', accelerator: undefined, topologies: tpu2dTopologies },
];

const LEGACY_TPU_MACHINE = 'cloud-tpu';
const LEGACY_TPU_ACCELERATORS: readonly AcceleratorTypeName[] = ['TPU_V2', 'TPU_V3'];
const LEGACY_TPU_COUNT = 8;

const MACHINE_TYPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/**
 * Checks the combination and returns the proto MachineSpec. `field` prefixes error messages;
 * `use` picks the machine types offered for training or prediction (either when absent).
 */
export function buildMachineSpec(input: MachineSpecInput, field: string, use?: MachineUse): IMachineSpec {
  const { machineType, acceleratorType, acceleratorCount, tpuTopology } = input;
  if (!MACHINE_TYPE.test(machineType)) fail(`${field}.machineType`, `is not a machine type: ${JSON.stringify(machineType)}`);
  failOn(machineTypeProblem(machineType, use), `${field}.machineType`);

  if (machineType === LEGACY_TPU_MACHINE) return legacyTpuSpec(input, field);
  const tpuRule = TPU_RULES.find((rule) => rule.machineType.test(machineType));
  if (tpuRule !== undefined) return tpuSliceSpec(input, tpuRule, field);
  if (/^ct\d/.test(machineType)) fail(`${field}.machineType`, `${machineType} is not a TPU machine type this builder supports`);
  if (tpuTopology !== undefined) fail(`${field}.tpuTopology`, `only applies to TPU machine types, not ${machineType}`);

  if (acceleratorType === undefined || acceleratorType === 'ACCELERATOR_TYPE_UNSPECIFIED') {
    if (acceleratorCount !== undefined && acceleratorCount !== 0) fail(`${field}.acceleratorType`, 'is required when acceleratorCount is set');
    if (GPU_BUNDLED.test(machineType)) {
      const rule = GPU_RULES.find((r) => r.machineType.test(machineType));
      const hint = rule === undefined ? '' : `: set acceleratorType ${rule.accelerator} and acceleratorCount ${rule.counts(machineType).join('|')}`;
      fail(`${field}.acceleratorType`, `${machineType} comes with GPUs attached${hint}`);
    }
    return { machineType };
  }
  if (acceleratorType.startsWith('TPU_')) {
    fail(`${field}.acceleratorType`, `${acceleratorType} needs a TPU machine type (cloud-tpu, ct5lp-hightpu-*), not ${machineType}`);
  }
  const rules = GPU_RULES.filter((r) => r.accelerator === acceleratorType);
  if (rules.length === 0) fail(`${field}.acceleratorType`, `${acceleratorType} is not supported (supported: ${[...new Set(GPU_RULES.map((r) => r.accelerator))].join(', ')})`);
  const rule = rules.find((r) => r.machineType.test(machineType));
  if (rule === undefined) {
    fail(`${field}.machineType`, `${acceleratorType} does not attach to ${machineType} (expected ${rules.map((r) => r.machineType.source).join(' or ')})`);
  }
  const allowed = rule.counts(machineType);
  if (acceleratorCount === undefined) fail(`${field}.acceleratorCount`, `is required with ${acceleratorType} (allowed on ${machineType}: ${allowed.join(', ')})`);
  if (!allowed.includes(acceleratorCount)) {
    fail(`${field}.acceleratorCount`, `${acceleratorCount} × ${acceleratorType} is not possible on ${machineType} (allowed: ${allowed.join(', ')})`);
  }
  return { machineType, acceleratorType, acceleratorCount };
}

function legacyTpuSpec(input: MachineSpecInput, field: string): IMachineSpec {
  const { acceleratorType, acceleratorCount } = input;
  if (acceleratorType === undefined || !LEGACY_TPU_ACCELERATORS.includes(acceleratorType)) {
    fail(`${field}.acceleratorType`, `cloud-tpu needs TPU_V2 or TPU_V3, got ${String(acceleratorType)}`);
  }
  if (acceleratorCount !== LEGACY_TPU_COUNT) fail(`${field}.acceleratorCount`, `cloud-tpu with ${acceleratorType} needs exactly ${LEGACY_TPU_COUNT}, got ${String(acceleratorCount)}`);
  if (input.tpuTopology !== undefined) fail(`${field}.tpuTopology`, 'does not apply to cloud-tpu (legacy TPU VMs)');
  return { machineType: input.machineType, acceleratorType, acceleratorCount };
}

function tpuSliceSpec(input: MachineSpecInput, rule: TpuRule, field: string): IMachineSpec {
  const { machineType, acceleratorType, acceleratorCount, tpuTopology } = input;
  if (acceleratorType !== undefined && acceleratorType !== rule.accelerator) {
    fail(`${field}.acceleratorType`, rule.accelerator === undefined
      ? `must be unset for TPU ${rule.generation} (${machineType}); the machine type selects it`
      : `${machineType} is TPU ${rule.generation}: use ${rule.accelerator} or leave it unset`);
  }
  if (acceleratorCount !== undefined) fail(`${field}.acceleratorCount`, `must be unset for ${machineType}; tpuTopology sets the number of chips`);
  if (tpuTopology === undefined) fail(`${field}.tpuTopology`, `is required for ${machineType} (e.g. ${rule.generation === 'v5p' ? '2x2x1' : tpu2dTopologies(machineType)[0]})`);
  const allowed = rule.topologies(machineType);
  if (allowed === 'any-3d') {
    const dims = /^(\d+)x(\d+)x(\d+)$/.exec(tpuTopology);
    const chips = dims === null ? 0 : Number(dims[1]) * Number(dims[2]) * Number(dims[3]);
    if (dims === null || chips < 4 || chips % 4 !== 0) {
      fail(`${field}.tpuTopology`, `TPU ${rule.generation} needs a 3D topology AxBxC with a multiple of 4 chips (e.g. 2x2x1), got ${JSON.stringify(tpuTopology)}`);
    }
  } else if (!allowed.includes(tpuTopology)) {
    fail(`${field}.tpuTopology`, `${JSON.stringify(tpuTopology)} is not a ${rule.generation} topology for ${machineType} (allowed: ${allowed.join(', ')})`);
  }
  const spec: IMachineSpec = { machineType, tpuTopology };
  if (acceleratorType !== undefined) spec.acceleratorType = acceleratorType;
  return spec;
}

export function hasGpu(spec: IMachineSpec): boolean {
  return typeof spec.acceleratorType === 'string' && spec.acceleratorType.startsWith('NVIDIA_');
}

export function hasAccelerator(spec: IMachineSpec): boolean {
  const accelerator = spec.acceleratorType ?? 'ACCELERATOR_TYPE_UNSPECIFIED';
  return accelerator !== 'ACCELERATOR_TYPE_UNSPECIFIED' || (spec.tpuTopology ?? '') !== '';
}
