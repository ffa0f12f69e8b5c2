// Why a container failed, read from the end of its log as Kubernetes does for Vertex's replicas
// (terminationMessagePolicy FallbackToLogsOnError): what follows "Termination reason: Error." in
// the task's error, and so in the PipelineJob's.
import { open } from 'node:fs/promises';

/** Kubernetes keeps at most this much of the log as the termination message. */
const MAX_BYTES = 2048;
const MAX_LINES = 80;
/** Enough of the file to hold the last attempt's final lines, even with long JSON log records. */
const READ_BYTES = 64 * 1024;
/** The engine's own line that opens each attempt in the task log. */
const ATTEMPT_HEADER = '[local-vertex] ';
const ERROR_SEVERITIES = new Set(['ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY']);

/**
 * The last attempt's termination message: the `message` of its last structured ERROR line (a JSON
 * log record, as Cloud Logging reads one; the project's components write exactly one before
 * exiting non-zero), else the last lines of its output (at most 80 lines, 2048 bytes).
 */
export async function terminationMessage(logFile: string): Promise<string | undefined> {
  let text: string;
  try {
    const handle = await open(logFile, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, READ_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const attemptStart = lines.findLastIndex((line) => line.startsWith(ATTEMPT_HEADER));
  const output = lines.slice(attemptStart + 1).filter((line) => line.trim() !== '');
  for (let i = output.length - 1; i >= 0; i--) {
    const message = structuredError(output[i]!);
    if (message !== undefined) return message;
  }
  const tail = Buffer.from(output.slice(-MAX_LINES).join('\n'), 'utf8');
  const message = (tail.length > MAX_BYTES ? tail.subarray(tail.length - MAX_BYTES) : tail).toString('utf8').trim();
  return message === '' ? undefined : message;
}

function structuredError(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record: unknown = JSON.parse(line);
    if (typeof record !== 'object' || record === null) return undefined;
    const { severity, message } = record as { severity?: unknown; message?: unknown };
    return typeof severity === 'string' && ERROR_SEVERITIES.has(severity) && typeof message === 'string' && message !== '' ? message : undefined;
  } catch {
    return undefined;
  }
}
