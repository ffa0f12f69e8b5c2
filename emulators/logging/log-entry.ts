// google.logging.v2.LogEntry as the REST API answers it, and LogSeverity's names and values.
import { camelToSnake } from '../../common/suggest.js';

const SEVERITIES = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
} as const;

export type LogSeverity = keyof typeof SEVERITIES;

export interface MonitoredResource {
  type: string;
  labels: Record<string, string>;
}

export interface LogEntry {
  logName: string;
  resource: MonitoredResource;
  timestamp: string;
  receiveTimestamp: string;
  severity: LogSeverity;
  insertId: string;
  labels?: Record<string, string>;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
}

/** The LogEntry fields a filter may name (REST camelCase and their snake_case spellings). */
export const LOG_ENTRY_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'logName', 'resource', 'timestamp', 'receiveTimestamp', 'severity', 'insertId', 'httpRequest', 'labels', 'operation',
    'trace', 'spanId', 'traceSampled', 'sourceLocation', 'split', 'textPayload', 'jsonPayload', 'protoPayload',
  ].flatMap((name) => [
    [name, name],
    [camelToSnake(name), name],
  ]),
);

/** A severity named (`ERROR`) or given as its number (`500`); undefined when neither. */
export function severityValue(text: string): number | undefined {
  const upper = text.toUpperCase();
  if (upper in SEVERITIES) return SEVERITIES[upper as LogSeverity];
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * RFC 3339 with all nine fractional digits: gcloud compares entry timestamps as strings when it
 * tails logs, which only orders them correctly at a fixed width.
 */
export function logTimestamp(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  const nanos = epochNs % 1_000_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`;
}
