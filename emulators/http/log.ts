// Emulator logs as Cloud Logging reads them: JSON lines with `severity` and `message`, on stderr
// so that a command's own stdout stays clean.
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

export function emulatorLog(severity: Severity, message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ severity, message, ...fields })}\n`);
}
