// Task failures carry a google.rpc code so they map straight onto PipelineTaskDetail.error.
import { RpcCode } from '../../kit/google-error.js';
import type { RpcStatus } from './types.js';

export { RpcCode };

/** A task cannot run or did not succeed; `retryable` failures go through the retry policy. */
export class TaskError extends Error {
  override readonly name = 'TaskError';
  constructor(
    message: string,
    readonly code: number = RpcCode.FAILED_PRECONDITION,
    readonly retryable = false,
  ) {
    super(message);
  }

  get status(): RpcStatus {
    return { code: this.code, message: this.message };
  }
}

/** The spec or the job's runtime config is wrong: nothing runs. */
export class InvalidPipelineJobError extends Error {
  override readonly name = 'InvalidPipelineJobError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Any thrown value as a status (TaskError keeps its code). */
export function toStatus(err: unknown, fallbackCode: number = RpcCode.INTERNAL): RpcStatus {
  if (err instanceof TaskError) return err.status;
  return { code: fallbackCode, message: errorMessage(err) };
}
