// Container resource strings (`'4'`, `'500m'`, `'14Gi'`) and the numeric mirrors KFP still writes.
import { CompileError } from './errors.js';

const CPU = /^([0-9]*\.?[0-9]+|[0-9]+m)$/;
const MEMORY = /^([0-9]*\.?[0-9]+)(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki)?$/;

const MEMORY_UNITS: Record<string, number> = {
  E: 1e18,
  Ei: 2 ** 60,
  P: 1e15,
  Pi: 2 ** 50,
  T: 1e12,
  Ti: 2 ** 40,
  G: 1e9,
  Gi: 2 ** 30,
  M: 1e6,
  Mi: 2 ** 20,
  K: 1e3,
  Ki: 2 ** 10,
};

/** CPU cores as a float: `'500m'` → 0.5. */
export function cpuToFloat(cpu: string, where: string): number {
  if (!CPU.test(cpu)) throw new CompileError(`${where}: CPU '${cpu}' must be a number of cores or millicores like '500m'`);
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

/** Memory in GB (1e9 bytes) as a float: `'14Gi'` → 15.032385536. */
export function memoryToGigabytes(memory: string, where: string): number {
  const m = MEMORY.exec(memory);
  if (!m) throw new CompileError(`${where}: memory '${memory}' must look like '4G', '512Mi' or a number of bytes`);
  const bytes = Number(m[1]) * (m[2] ? MEMORY_UNITS[m[2]]! : 1);
  return bytes / 1e9;
}
