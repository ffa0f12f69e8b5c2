// A query the emulator refuses, in BigQuery's words: the message ends in "at [line:col]" of the
// user's SQL, and the API reports it as 400 `invalidQuery`.
export class SqlError extends Error {
  constructor(
    readonly detail: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(line !== undefined ? `${detail} at [${line}:${col ?? 1}]` : detail);
    this.name = 'SqlError';
  }
}
