// What a training run cost, estimated from its PipelineJob: each task that ran on a machine, for
// the time between its start and end, at the list price of its machine (and accelerators), plus
// Vertex Pipelines' fee per run. The machine comes from the compiled pipeline's resources for the
// task's executor; a step without any runs on Vertex Pipelines' default machine. A machine the
// price table lacks is reported as unpriced, never counted as free.
import { z } from 'zod';
import { TUNING_PIPELINE_TASKS } from '../../pipelines/definitions/tuning-tasks.js';
import { pipelineTaskOutputs } from '../../vertex/shared/pipeline-outputs.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import { fromStruct } from '../../vertex/shared/struct.js';
import {
  DEFAULT_PIPELINE_STEP_MACHINE,
  E2_STANDARD_SIZES,
  PIPELINE_RUN_FEE_USD,
  PRICE_REGION,
  PRICE_SOURCE,
  PRICES_AS_OF,
  TRAINING_ACCELERATOR_USD_PER_HOUR,
  TRAINING_MACHINE_USD_PER_HOUR,
} from './price-table.js';

export const CostItem = z.object({
  task: z.string(),
  /** The machine priced; null when it could not be told (see `note`). */
  machineType: z.string().nullable(),
  accelerator: z.object({ type: z.string(), count: z.number() }).nullable(),
  hours: z.number(),
  /** null: not priced (an unknown machine or accelerator); the total leaves it out and says so. */
  usd: z.number().nullable(),
  note: z.string().optional(),
});
export type CostItem = z.infer<typeof CostItem>;

export const CostEstimate = z.object({
  currency: z.literal('USD'),
  /** The priced items and fees; a lower bound when `unpriced` is not empty. */
  total: z.number(),
  items: z.array(CostItem),
  fees: z.array(z.object({ name: z.string(), usd: z.number() })),
  /** Tasks that ran but could not be priced, with why. */
  unpriced: z.array(z.object({ task: z.string(), reason: z.string() })),
  /** Tasks still running when the estimate was made (the exit handler that announced the end): not counted. */
  unfinished: z.array(z.string()),
  pricesAsOf: z.string(),
  region: z.string(),
  source: z.string(),
});
export type CostEstimate = z.infer<typeof CostEstimate>;

type Json = Readonly<Record<string, JsonValue>>;
const obj = (v: JsonValue | undefined): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v) : undefined);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** What the compiled pipeline asks for one executor (PipelineContainerSpec.resources). */
interface Resources {
  readonly cpuLimit?: number;
  readonly memoryLimitGb?: number;
  readonly dynamic?: string;
  readonly accelerator?: { type: string; count: number };
}

function resourcesOf(container: Json): Resources {
  const r = obj(container.resources);
  if (!r) return {};
  const accelerator = obj(r.accelerator);
  const type = accelerator ? (accelerator.type ?? accelerator.resourceType) : undefined;
  const count = accelerator ? Number(accelerator.count ?? accelerator.resourceCount) : undefined;
  const cpu = typeof r.cpuLimit === 'number' ? r.cpuLimit : undefined;
  const memory = typeof r.memoryLimit === 'number' ? r.memoryLimit : undefined;
  // A limit given only as a runtime placeholder: the compiled spec does not say what it was.
  const dynamic = (cpu === undefined && typeof r.resourceCpuLimit === 'string') || (memory === undefined && typeof r.resourceMemoryLimit === 'string') ? 'its CPU or memory limit is set at run time' : undefined;
  return {
    ...(cpu !== undefined ? { cpuLimit: cpu } : {}),
    ...(memory !== undefined ? { memoryLimitGb: memory } : {}),
    ...(dynamic ? { dynamic } : {}),
    ...(typeof type === 'string' ? { accelerator: { type, count: Number.isFinite(count) ? count! : 1 } } : {}),
  };
}

/** Task name (`taskInfo.name`) → its executor's resources, over the root DAG and every nested one; importers and DAGs have none. */
export function taskResources(pipelineSpec: Json): Map<string, Resources> {
  const components = obj(pipelineSpec.components) ?? {};
  const executors = obj(obj(pipelineSpec.deploymentSpec)?.executors) ?? {};
  const out = new Map<string, Resources>();
  const visit = (dag: Json | undefined) => {
    for (const [key, taskValue] of Object.entries(obj(dag?.tasks) ?? {})) {
      const task = obj(taskValue);
      const name = str(obj(task?.taskInfo)?.name) ?? key;
      const component = obj(components[str(obj(task?.componentRef)?.name) ?? '']);
      if (!component) continue;
      if (obj(component.dag)) visit(obj(component.dag));
      const container = obj(obj(executors[str(component.executorLabel) ?? ''])?.container);
      if (container) out.set(name, resourcesOf(container));
    }
  };
  visit(obj(obj(pipelineSpec.root)?.dag));
  return out;
}

/** The machine a step runs on: its accelerator's host is Vertex's choice; CPU/memory limits fit the smallest E2 standard. */
export function machineFor(resources: Resources): { machineType: string; note?: string } | { unknown: string } {
  if (resources.dynamic) return { unknown: resources.dynamic };
  if (resources.accelerator) return { unknown: `Vertex chooses the host machine for ${resources.accelerator.count} × ${resources.accelerator.type}; it is not in the price table's rules` };
  if (resources.cpuLimit === undefined && resources.memoryLimitGb === undefined) return { machineType: DEFAULT_PIPELINE_STEP_MACHINE, note: "no resources set: Vertex Pipelines' default machine" };
  const cpu = resources.cpuLimit ?? 0;
  const memory = resources.memoryLimitGb ?? 0;
  const fit = E2_STANDARD_SIZES.find((s) => s.vcpus >= cpu && s.memoryGb >= memory);
  if (!fit) return { unknown: `${cpu} vCPUs and ${memory} GB are beyond the E2 standard machines this estimate knows` };
  return { machineType: fit.machineType, note: `the smallest E2 standard machine with ${cpu || 'any'} vCPUs and ${memory || 'any'} GB` };
}

/** google.protobuf.Timestamp (as the client returns it, or RFC 3339 text) → epoch ms. */
export function timestampMs(t: unknown): number | undefined {
  if (typeof t === 'string') {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (t && typeof t === 'object' && 'seconds' in t) {
    const { seconds, nanos } = t as { seconds?: unknown; nanos?: unknown };
    if (seconds === undefined || seconds === null) return undefined;
    return Number(seconds) * 1000 + Math.round(Number(nanos ?? 0) / 1e6);
  }
  return undefined;
}

const round = (n: number, digits = 6) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The price of `hours` on a machine (with accelerators), or why there is none. */
export function priceOf(machineType: string, accelerator: { type: string; count: number } | null, hours: number): { usd: number } | { unknown: string } {
  const machine = TRAINING_MACHINE_USD_PER_HOUR[machineType];
  if (machine === undefined) return { unknown: `no list price for machine type ${machineType} in the price table (${PRICES_AS_OF})` };
  let perHour = machine;
  if (accelerator) {
    const each = TRAINING_ACCELERATOR_USD_PER_HOUR[accelerator.type];
    if (each === undefined) return { unknown: `no list price for accelerator ${accelerator.type} in the price table (${PRICES_AS_OF})` };
    perHour += each * accelerator.count;
  }
  return { usd: perHour * hours };
}

const NOT_RUN = new Set(['SKIPPED', 'NOT_TRIGGERED', 'PENDING', 'STATE_UNSPECIFIED']);

/** Why a tuning task's trials are not in the estimate: they ran as a job of their own. */
export const TRIALS_OUTSIDE_REASON = 'HyperparameterTuningJob trials run outside the PipelineJob';

/** A trial's start and end, as the estimate reads them (RFC 3339 or a protobuf Timestamp). */
export interface TrialTimes {
  readonly id: string;
  readonly startTime?: unknown;
  readonly endTime?: unknown;
}

/**
 * The tuning tasks that ran in a PipelineJob (training-pipeline-hpt's tune step), each with the
 * HyperparameterTuningJob its `gcp_resources` output names (Google Cloud Pipeline Components' form),
 * when it names one: its trials run outside the PipelineJob, so the job's task details leave them out.
 */
export function tuningTasks(job: IPipelineJob): { task: string; tuningJob?: string }[] {
  return (job.jobDetail?.taskDetails ?? [])
    .filter((t) => t.taskName === TUNING_PIPELINE_TASKS.tune && !NOT_RUN.has(String(t.state ?? 'STATE_UNSPECIFIED')))
    .map((t) => {
      const resources = pipelineTaskOutputs(job, t.taskName!)?.parameters.gcp_resources;
      const named = typeof resources === 'string' ? /projects\/[^/]+\/locations\/[^/]+\/hyperparameterTuningJobs\/[^/?"\s]+/.exec(resources)?.[0] : undefined;
      return { task: t.taskName!, ...(named ? { tuningJob: named } : {}) };
    });
}

/**
 * The estimate for a PipelineJob as read now (its `jobDetail.taskDetails` and `pipelineSpec`), with
 * the trials of its tuning tasks where the caller could read them (by task name); a tuning task whose
 * trials are not given is named in `unpriced`, never silently left out.
 */
export function estimatePipelineJobCost(job: IPipelineJob, tuningTrials: ReadonlyMap<string, readonly TrialTimes[]> = new Map()): CostEstimate {
  const resources = taskResources(fromStruct(job.pipelineSpec));
  const items: CostItem[] = [];
  // Summed unrounded: the items show 6 decimals, the total is rounded once.
  let priced = 0;
  const unpriced: CostEstimate['unpriced'] = [];
  const unfinished: string[] = [];
  for (const task of job.jobDetail?.taskDetails ?? []) {
    const name = task.taskName ?? String(task.taskId);
    const wanted = resources.get(name);
    // The root, DAG groups and importers run on no machine of their own; a cache hit reuses outputs.
    if (wanted === undefined || NOT_RUN.has(String(task.state ?? 'STATE_UNSPECIFIED'))) continue;
    const start = timestampMs(task.startTime);
    const end = timestampMs(task.endTime);
    if (start === undefined) continue;
    if (end === undefined) {
      unfinished.push(name);
      continue;
    }
    const hours = round(Math.max(0, end - start) / 3_600_000, 9);
    const machine = machineFor(wanted);
    if ('unknown' in machine) {
      items.push({ task: name, machineType: null, accelerator: wanted.accelerator ?? null, hours, usd: null, note: machine.unknown });
      unpriced.push({ task: name, reason: machine.unknown });
      continue;
    }
    const price = priceOf(machine.machineType, wanted.accelerator ?? null, hours);
    if ('unknown' in price) {
      items.push({ task: name, machineType: machine.machineType, accelerator: wanted.accelerator ?? null, hours, usd: null, note: price.unknown });
      unpriced.push({ task: name, reason: price.unknown });
      continue;
    }
    priced += price.usd;
    items.push({ task: name, machineType: machine.machineType, accelerator: wanted.accelerator ?? null, hours, usd: round(price.usd), ...(machine.note ? { note: machine.note } : {}) });
  }
  for (const { task, tuningJob } of tuningTasks(job)) {
    const trials = tuningTrials.get(task);
    if (trials === undefined) {
      unpriced.push({ task, reason: TRIALS_OUTSIDE_REASON });
      continue;
    }
    const cost = estimateTrialsCost(trials);
    const note = `${cost.trials} trials of ${tuningJob ?? 'its HyperparameterTuningJob'}, each on one ${cost.machineType} (the tuning component's trial machine)`;
    if (cost.usd === null) {
      items.push({ task: `${task} (trials)`, machineType: cost.machineType, accelerator: null, hours: cost.hours, usd: null, note });
      unpriced.push({ task, reason: `no list price for machine type ${cost.machineType} in the price table (${PRICES_AS_OF})` });
      continue;
    }
    const price = priceOf(cost.machineType, null, cost.hours);
    if ('usd' in price) priced += price.usd;
    items.push({ task: `${task} (trials)`, machineType: cost.machineType, accelerator: null, hours: cost.hours, usd: cost.usd, note });
  }
  items.sort((a, b) => a.task.localeCompare(b.task));
  const fees = [{ name: 'Vertex AI Pipelines run', usd: PIPELINE_RUN_FEE_USD }];
  const total = round(priced + fees.reduce((sum, f) => sum + f.usd, 0));
  return { currency: 'USD', total, items, fees, unpriced, unfinished: unfinished.sort(), pricesAsOf: PRICES_AS_OF, region: PRICE_REGION, source: PRICE_SOURCE };
}

/** `$0.0123 (list prices of 2026-…; 1 task unpriced)`: one line for a card or a reason. */
export function describeCost(estimate: CostEstimate): string {
  const unpriced = estimate.unpriced.length > 0 ? `; ${estimate.unpriced.length} task${estimate.unpriced.length === 1 ? '' : 's'} unpriced, so at least this` : '';
  return `$${estimate.total.toFixed(4)} estimated at ${estimate.region} list prices of ${estimate.pricesAsOf}${unpriced}`;
}

/** The tuning component's trial machine (its `trial_machine_type` default, which the tuning pipeline keeps). */
export const TUNING_TRIAL_MACHINE = 'n1-standard-4';

/** A HyperparameterTuningJob's trials, each on one trial machine from its start to its end. */
export function estimateTrialsCost(trials: readonly TrialTimes[], machineType = TUNING_TRIAL_MACHINE): { trials: number; hours: number; usd: number | null; machineType: string; pricesAsOf: string } {
  let hours = 0;
  let counted = 0;
  for (const t of trials) {
    const start = timestampMs(t.startTime);
    const end = timestampMs(t.endTime);
    if (start === undefined || end === undefined) continue;
    hours += Math.max(0, end - start) / 3_600_000;
    counted += 1;
  }
  const price = priceOf(machineType, null, hours);
  return { trials: counted, hours: round(hours, 9), usd: 'usd' in price ? round(price.usd) : null, machineType, pricesAsOf: PRICES_AS_OF };
}
