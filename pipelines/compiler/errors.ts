/** A pipeline that cannot be compiled; the message names the task and input at fault. */
export class CompileError extends Error {
  override readonly name = 'CompileError';
}
