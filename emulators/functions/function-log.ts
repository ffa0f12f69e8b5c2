// A function's stdout and stderr, line by line, into the local cloud's log with the function's
// name: structured lines (Cloud Logging JSON, as functions write them) keep their severity and
// fields; plain text is INFO on stdout and ERROR on stderr, as Cloud Run records it.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Severity } from '../kit/log.js';
import { emulatorLog } from '../kit/log.js';

const SEVERITY_OF: Readonly<Record<string, Severity>> = {
  DEFAULT: 'INFO',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  NOTICE: 'NOTICE',
  WARNING: 'WARNING',
  WARN: 'WARNING',
  ERROR: 'ERROR',
  CRITICAL: 'CRITICAL',
  ALERT: 'CRITICAL',
  EMERGENCY: 'CRITICAL',
};

function structured(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A structured line a served function wrote (Cloud Logging JSON), as the runtime read it. */
export interface FunctionLogEntry {
  readonly function: string;
  readonly stream: 'stdout' | 'stderr';
  readonly record: Readonly<Record<string, unknown>>;
}

type FunctionLogListener = (entry: FunctionLogEntry) => void;
const listeners = new Set<FunctionLogListener>();

/**
 * Calls `listener` with every structured line any served function writes, whatever the log level
 * lets through (the benchmark sums the `durationMs` of invocation lines); returns the unsubscribe.
 */
export function watchFunctionLogs(listener: FunctionLogListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function logFunctionLine(functionName: string, stream: 'stdout' | 'stderr', line: string): void {
  if (line.trim() === '') return;
  const record = structured(line);
  if (record) for (const listener of listeners) listener({ function: functionName, stream, record });
  const plainSeverity: Severity = stream === 'stderr' ? 'ERROR' : 'INFO';
  if (!record) {
    emulatorLog(plainSeverity, line, { function: functionName });
    return;
  }
  const { severity, message, ...fields } = record;
  const mapped = typeof severity === 'string' ? SEVERITY_OF[severity.toUpperCase()] : undefined;
  const text = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  emulatorLog(mapped ?? plainSeverity, text, { function: functionName, ...fields });
}

/** Logs every line; `onLine` also sees each (the runtime keeps the last few to explain a failed start). */
export function pipeFunctionOutput(functionName: string, stream: 'stdout' | 'stderr', readable: Readable, onLine?: (line: string) => void): void {
  createInterface({ input: readable, crlfDelay: Infinity }).on('line', (line) => {
    logFunctionLine(functionName, stream, line);
    onLine?.(line);
  });
}
