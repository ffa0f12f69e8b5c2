// What CustomJobs, HyperparameterTuningJobs and PipelineJobs share: stored resources with a state
// machine (QUEUED → PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLING → CANCELLED), get/list,
// cancel, delete as a long-running operation, and recovery of jobs a stopped emulator left running.
import { emulatorLog } from '../../kit/log.js';
import type { RpcStatus } from '../api/errors.js';
import { RpcCode, failedPrecondition, notFound } from '../api/errors.js';
import { nowTimestamp } from '../api/ids.js';
import { listPage } from '../api/list.js';
import { parentOf } from '../api/names.js';
import type { QueryValues } from '../api/query.js';
import type { JsonObject } from '../api/wire-json.js';
import type { Operation, Operations } from '../operations/operations.js';
import type { JsonStore } from '../state/json-store.js';
import type { RunningJobs } from './running-jobs.js';
import { isShutdown } from './running-jobs.js';

export interface JobKind {
  /** REST collection, e.g. `customJobs`. */
  collection: string;
  /** Resource type for messages, e.g. `CustomJob`. */
  label: string;
  /** `JOB_STATE_` or `PIPELINE_STATE_`. */
  statePrefix: string;
  /** List response field, e.g. `customJobs`. */
  listField: string;
}

export type JobPhase = 'QUEUED' | 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLING' | 'CANCELLED';

const TERMINAL: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED', 'PARTIALLY_SUCCEEDED']);

export class JobCollection {
  constructor(
    readonly kind: JobKind,
    readonly store: JsonStore<JsonObject>,
    private readonly running: RunningJobs,
    private readonly operations: Operations,
  ) {}

  phaseOf(job: JsonObject): string {
    return typeof job.state === 'string' ? job.state.slice(this.kind.statePrefix.length) : '';
  }

  isTerminal(job: JsonObject): boolean {
    return TERMINAL.has(this.phaseOf(job));
  }

  get(name: string): JsonObject {
    const job = this.store.get(name);
    if (!job) throw notFound(`${this.kind.label} ${name} not found.`);
    return job;
  }

  list(parent: string, params: QueryValues): JsonObject {
    const items = this.store.values().filter((job) => parentOf(String(job.name)) === parent);
    return listPage(items, params, this.kind.listField);
  }

  async save(job: JsonObject): Promise<void> {
    await this.store.put(String(job.name), job);
  }

  /** Applies `change` to the stored job, stamps updateTime and persists; a deleted job is left alone. */
  async update(name: string, change: (job: JsonObject) => void): Promise<JsonObject | undefined> {
    const job = this.store.get(name);
    if (!job) return undefined;
    change(job);
    job.updateTime = nowTimestamp();
    await this.store.put(name, job);
    return job;
  }

  async setPhase(name: string, phase: JobPhase, extra: { error?: RpcStatus } = {}): Promise<JsonObject | undefined> {
    const current = this.store.get(name);
    // A run's progress must not undo a cancel in flight, nor reopen a finished job.
    if (current && !TERMINAL.has(phase) && (this.isTerminal(current) || this.phaseOf(current) === 'CANCELLING')) return current;
    return this.update(name, (job) => {
      job.state = `${this.kind.statePrefix}${phase}`;
      const now = nowTimestamp();
      if (phase === 'RUNNING' && job.startTime === undefined) job.startTime = now;
      if (TERMINAL.has(phase)) job.endTime = now;
      if (extra.error) job.error = extra.error;
    });
  }

  async cancel(name: string): Promise<void> {
    const job = this.get(name);
    if (this.isTerminal(job)) {
      throw failedPrecondition(`Cannot cancel ${this.kind.label} ${name}: it is in state ${String(job.state)}.`);
    }
    if (this.phaseOf(job) === 'CANCELLING') return;
    await this.setPhase(name, 'CANCELLING');
    if (!this.running.cancel(name)) await this.setPhase(name, 'CANCELLED', { error: cancelledStatus(this.kind.label) });
  }

  async delete(name: string): Promise<Operation> {
    const job = this.get(name);
    if (!this.isTerminal(job)) {
      throw failedPrecondition(`${this.kind.label} ${name} is in state ${String(job.state)} and cannot be deleted; cancel it first and wait until it is CANCELLED.`);
    }
    return this.operations.start({
      under: parentOf(name),
      metadataType: 'DeleteOperationMetadata',
      run: async () => {
        await this.store.delete(name);
        return { responseType: 'google.protobuf.Empty', response: {} };
      },
    });
  }

  /**
   * The start of every run: after the create call has answered, move the job to PENDING (and, for
   * jobs that start at once, RUNNING). False when it was cancelled before it could start.
   */
  async begin(name: string, signal: AbortSignal, phases: readonly JobPhase[]): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) {
      await this.finishAborted(name, signal);
      return false;
    }
    for (const phase of phases) await this.setPhase(name, phase);
    return true;
  }

  /** The end of a run whose signal was aborted: a cancel, or the emulator stopping under it. */
  async finishAborted(name: string, signal: AbortSignal): Promise<void> {
    const job = this.store.get(name);
    if (!job) return;
    if (isShutdown(signal) && this.phaseOf(job) !== 'CANCELLING') await this.setPhase(name, 'FAILED', { error: this.lostStatus(job) });
    else await this.setPhase(name, 'CANCELLED', { error: cancelledStatus(this.kind.label) });
  }

  /** Jobs that were running when the emulator stopped lost their processes: they fail, as on a lost worker. */
  async recover(): Promise<void> {
    for (const job of this.store.values()) {
      if (this.isTerminal(job)) continue;
      const name = String(job.name);
      const cancelling = this.phaseOf(job) === 'CANCELLING';
      await this.setPhase(name, cancelling ? 'CANCELLED' : 'FAILED', { error: cancelling ? cancelledStatus(this.kind.label) : this.lostStatus(job) });
      emulatorLog('WARNING', 'vertex: job interrupted by an emulator restart', { service: 'vertex', job: name });
    }
  }

  private lostStatus(job: JsonObject): RpcStatus {
    return {
      code: RpcCode.ABORTED,
      message: `The local Vertex AI emulator stopped while this ${this.kind.label} was ${String(job.state)}; its processes were lost (as when a worker is lost). Create the job again.`,
    };
  }
}

function cancelledStatus(label: string): RpcStatus {
  return { code: RpcCode.CANCELLED, message: `The ${label} was cancelled.` };
}
