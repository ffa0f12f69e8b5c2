// Progress for a person watching: on a terminal, one status line that rewrites itself under the
// report; elsewhere (a pipe, a CI log), a plain line each time the status changes.
export interface StatusStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

// Off a terminal, a task's log line is still a status, not a transcript: keep it short.
const PLAIN_WIDTH = 160;

export class StatusLine {
  private shown = '';
  private last = '';

  constructor(private readonly stream: StatusStream) {}

  /** A lasting line of the report; the status line, if any, stays below it. */
  print(line: string): void {
    if (this.stream.isTTY && this.shown) this.stream.write(`\r\x1b[2K${line}\n${this.shown}`);
    else this.stream.write(`${line}\n`);
  }

  /** The current status; an empty string clears it. */
  update(text: string): void {
    const line = text.replace(/[\r\n\t]+/g, ' ').trimEnd();
    if (line === this.last) return;
    this.last = line;
    if (!this.stream.isTTY) {
      if (line) this.stream.write(`${line.length > PLAIN_WIDTH ? `${line.slice(0, PLAIN_WIDTH - 1)}…` : line}\n`);
      return;
    }
    // One terminal row: a wrapped line could not be rewritten in place.
    const width = Math.max(10, (this.stream.columns ?? 80) - 1);
    this.shown = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.stream.write(`\r\x1b[2K${this.shown}`);
  }

  clear(): void {
    this.update('');
  }
}
