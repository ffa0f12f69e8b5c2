// Long-running operations: `{name, metadata: {'@type': ...OperationMetadata, genericMetadata},
// done, response | error}`, persisted like every resource. The work runs in the background;
// an operation still running when the emulator stopped is finished with an error on restart.
import { emulatorLog } from '../../kit/log.js';
import type { RpcStatus } from '../api/errors.js';
import { RpcCode, toRpcStatus } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import type { JsonObject } from '../api/wire-json.js';
import type { JsonStore } from '../state/json-store.js';

export const TYPE_PREFIX = 'type.googleapis.com/';
export const V1 = 'google.cloud.aiplatform.v1';

export interface Operation {
  name: string;
  metadata: JsonObject & { '@type': string; genericMetadata: { createTime: string; updateTime: string } };
  done: boolean;
  response?: JsonObject;
  error?: RpcStatus;
}

export interface OperationOutcome {
  /** Full message name of the response, e.g. `google.cloud.aiplatform.v1.UploadModelResponse`. */
  responseType: string;
  response: JsonObject;
}

export interface StartOperation {
  /** The operation is named `<under>/operations/<id>` (a resource, or a location for deletes). */
  under: string;
  /** e.g. `UploadModelOperationMetadata` (v1) or a full name such as `google.cloud.aiplatform.v1.DeleteOperationMetadata`. */
  metadataType: string;
  /** Fields of the metadata message besides genericMetadata (e.g. SuggestTrialsMetadata.clientId). */
  metadata?: JsonObject;
  run: () => Promise<OperationOutcome>;
}

export class Operations {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly store: JsonStore<Operation>) {}

  /** Finishes operations a previous run left unfinished. */
  async recover(): Promise<void> {
    for (const op of this.store.values()) {
      if (op.done) continue;
      op.done = true;
      op.error = { code: RpcCode.ABORTED, message: 'The operation was interrupted: the local Vertex AI emulator stopped before it finished.' };
      op.metadata.genericMetadata.updateTime = nowTimestamp();
      await this.store.put(op.name, op);
    }
  }

  get(name: string): Operation | undefined {
    return this.store.get(name);
  }

  list(under: string): Operation[] {
    return this.store.values().filter((op) => op.name.startsWith(`${under}/`));
  }

  async start(request: StartOperation): Promise<Operation> {
    const now = nowTimestamp();
    const metadataType = request.metadataType.includes('.') ? request.metadataType : `${V1}.${request.metadataType}`;
    const op: Operation = {
      name: `${request.under}/operations/${numericId()}`,
      metadata: { '@type': `${TYPE_PREFIX}${metadataType}`, ...request.metadata, genericMetadata: { createTime: now, updateTime: now } },
      done: false,
    };
    await this.store.put(op.name, op);
    const work = this.execute(op, request.run).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return structuredClone(op);
  }

  /** Resolves when the operation is done or `timeoutMs` passed. */
  async wait(name: string, timeoutMs: number): Promise<void> {
    const op = this.store.get(name);
    if (!op || op.done) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const list = this.waiters.get(name) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(name, list);
    });
  }

  /** Waits for every running operation (their work is stopped by whoever owns it). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.store.flush();
  }

  private async execute(op: Operation, run: () => Promise<OperationOutcome>): Promise<void> {
    try {
      const outcome = await run();
      op.response = { '@type': `${TYPE_PREFIX}${outcome.responseType}`, ...outcome.response };
    } catch (err) {
      op.error = toRpcStatus(err);
      emulatorLog('WARNING', 'vertex: operation failed', { service: 'vertex', operation: op.name, error: op.error.message });
    }
    op.done = true;
    op.metadata.genericMetadata.updateTime = nowTimestamp();
    await this.store.put(op.name, op);
    for (const wake of this.waiters.get(op.name) ?? []) wake();
    this.waiters.delete(op.name);
  }
}
