// How many cores a local "container" gets (its task's CPU limit, or its machine type's vCPUs, within
// this machine's) and which ones: the least busy, so tasks running side by side spread over the cores.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { cpuToFloat } from '../../../pipelines/compiler/resources.js';

/**
 * Vertex AI Pipelines runs a task that sets no CPU limit on e2-standard-4.
 * https://cloud.google.com/vertex-ai/docs/pipelines/machine-types
 */
export const DEFAULT_PIPELINE_TASK_CPUS = 4;

/** A Kubernetes CPU quantity (`'4'`, `'500m'`) as whole cores, rounded up; undefined when it is not one. */
export function cpuQuantityCores(quantity: string | number): number | undefined {
  let cores: number;
  try {
    cores = typeof quantity === 'number' ? quantity : cpuToFloat(quantity.trim(), 'cpu limit');
  } catch {
    return undefined;
  }
  return Number.isFinite(cores) && cores > 0 ? Math.ceil(cores) : undefined;
}

/** `0-3,8,10-11` (the kernel's cpu list format) → [0,1,2,3,8,10,11]. */
export function parseCpuList(list: string): number[] {
  const cores: number[] = [];
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let c = first; c <= last; c++) cores.push(c);
  }
  return cores;
}

/** The cores this emulator may run on: its own affinity on Linux, else 0..n-1. */
export function hostCores(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
    const cores = line ? parseCpuList(line[1]!) : [];
    if (cores.length > 0) return cores;
  } catch {
    // not Linux
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

/** Where `taskset` is, when this machine can pin a process to cores. */
export function findTaskset(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  return ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
}

export interface Allotment {
  readonly cores: readonly number[];
  release(): void;
}

/** Hands out cores to running containers, least loaded first; a container holds its cores until it ends. */
export class CoreAllocator {
  private readonly load = new Map<number, number>();
  private next = 0;

  constructor(readonly cores: readonly number[] = hostCores()) {
    if (cores.length === 0) throw new Error('CoreAllocator needs at least one core');
    for (const c of cores) this.load.set(c, 0);
  }

  /** `wanted` cores (at most the machine's); ties go round-robin so idle cores are used in turn. */
  allot(wanted: number): Allotment {
    const count = Math.max(1, Math.min(Math.ceil(wanted), this.cores.length));
    const start = this.next;
    this.next = (this.next + count) % this.cores.length;
    const order = this.cores.map((core, i) => ({ core, rank: (i - start + this.cores.length) % this.cores.length }));
    order.sort((a, b) => this.load.get(a.core)! - this.load.get(b.core)! || a.rank - b.rank);
    const chosen = order.slice(0, count).map((o) => o.core).sort((a, b) => a - b);
    for (const c of chosen) this.load.set(c, this.load.get(c)! + 1);
    let released = false;
    return {
      cores: chosen,
      release: () => {
        if (released) return;
        released = true;
        for (const c of chosen) this.load.set(c, this.load.get(c)! - 1);
      },
    };
  }
}
