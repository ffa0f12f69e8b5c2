// The one structured logger for every layer: Cloud Logging JSON lines (`severity`, `message`, fields)
// on stderr, or readable lines when stderr is a terminal. LOG_FORMAT=json|text and LOG_LEVEL override.
import { inspect, styleText } from 'node:util';
import { z } from 'zod';

const SEVERITIES = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type LogFields = Readonly<Record<string, unknown>>;

/** Where lines go: process.stderr, or anything with `write` (tests). */
export interface LogStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface LoggerOptions {
  stream?: LogStream;
  /** Read at every call, so that LOG_FORMAT / LOG_LEVEL set later still apply. */
  env?: NodeJS.ProcessEnv;
  /** Threshold when LOG_LEVEL is not set (default INFO). */
  defaultLevel?: Severity;
}

const FormatEnv = z.enum(['json', 'text']);
const LevelEnv = z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(SEVERITIES));

const COLORS: Record<Severity, Parameters<typeof styleText>[0]> = {
  DEBUG: 'gray',
  INFO: 'green',
  NOTICE: 'cyan',
  WARNING: 'yellow',
  ERROR: 'red',
  CRITICAL: ['red', 'bold'],
};

export class Logger {
  private readonly streamOverride: LogStream | undefined;
  private readonly envOverride: NodeJS.ProcessEnv | undefined;
  private defaultLevel: Severity;
  // Each bad LOG_* value is reported once, not on every line.
  private readonly reported = new Set<string>();

  constructor(options: LoggerOptions = {}) {
    this.streamOverride = options.stream;
    this.envOverride = options.env;
    this.defaultLevel = options.defaultLevel ?? 'INFO';
  }

  // Resolved per call: tests and scripts may swap process.stderr or process.env after import.
  private get stream(): LogStream {
    return this.streamOverride ?? process.stderr;
  }

  private get env(): NodeJS.ProcessEnv {
    return this.envOverride ?? process.env;
  }

  /** The threshold used when LOG_LEVEL is not set (the demo quiets the emulators' INFO lines). */
  setDefaultLevel(level: Severity): void {
    this.defaultLevel = level;
  }

  level(): Severity {
    const raw = this.env.LOG_LEVEL;
    if (raw === undefined || raw === '') return this.defaultLevel;
    const parsed = LevelEnv.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.reportBadEnv('LOG_LEVEL', raw, SEVERITIES.join(', '));
    return this.defaultLevel;
  }

  enabled(severity: Severity): boolean {
    return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(this.level());
  }

  format(): 'json' | 'text' {
    const raw = this.env.LOG_FORMAT;
    if (raw !== undefined && raw !== '') {
      const parsed = FormatEnv.safeParse(raw.toLowerCase());
      if (parsed.success) return parsed.data;
      this.reportBadEnv('LOG_FORMAT', raw, 'json, text');
    }
    return this.stream.isTTY ? 'text' : 'json';
  }

  log(severity: Severity, message: string, fields: LogFields = {}): void {
    if (!this.enabled(severity)) return;
    this.stream.write(this.format() === 'json' ? jsonLine(severity, message, fields) : this.textLine(severity, message, fields));
  }

  private textLine(severity: Severity, message: string, fields: LogFields): string {
    const color = this.colors();
    const paint = (style: Parameters<typeof styleText>[0], text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
    const time = new Date().toISOString().slice(11, 23);
    const multiLine: string[] = [];
    const pairs: string[] = [];
    for (const [key, raw] of Object.entries(fields)) {
      const value = plain(raw);
      if (typeof value === 'string' && value.includes('\n')) multiLine.push(`${key}:\n${value.replace(/^/gm, '    ')}`);
      else pairs.push(`${key}=${textValue(value)}`);
    }
    const head = `${paint('gray', time)} ${paint(COLORS[severity], severity.padEnd(7))} ${message}`;
    const tail = pairs.length ? ` ${paint('dim', pairs.join(' '))}` : '';
    const rest = multiLine.length ? `\n${multiLine.map((m) => `  ${m}`).join('\n')}` : '';
    return `${head}${tail}${rest}\n`;
  }

  private colors(): boolean {
    const env = this.env;
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
    if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
    return this.stream.isTTY === true;
  }

  private reportBadEnv(name: string, value: string, allowed: string): void {
    const key = `${name}=${value}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.stream.write(jsonLine('WARNING', `${name} must be one of ${allowed}; ignoring '${value}'`, {}));
  }
}

/** Errors as their stack (Error Reporting reads it), bigints as strings: what JSON can carry. */
function plain(value: unknown): unknown {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function textValue(value: unknown): string {
  if (typeof value === 'string') return value !== '' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, (_k, v: unknown) => plain(v));
  } catch {
    return inspect(value, { breakLength: Infinity, depth: 3 });
  }
}

function jsonLine(severity: Severity, message: string, fields: LogFields): string {
  // `severity` and `message` are Cloud Logging's special fields: fields never overwrite them.
  const record: Record<string, unknown> = { severity, message };
  for (const [key, value] of Object.entries(fields)) if (key !== 'severity' && key !== 'message') record[key] = value;
  try {
    return `${JSON.stringify(record, (_k, v: unknown) => plain(v))}\n`;
  } catch {
    return `${JSON.stringify({ severity, message, fields: inspect(fields, { breakLength: Infinity, depth: 3 }) })}\n`;
  }
}

/** The process's logger: what `log` writes through. */
export const logger = new Logger();

export function log(severity: Severity, message: string, fields: LogFields = {}): void {
  logger.log(severity, message, fields);
}
