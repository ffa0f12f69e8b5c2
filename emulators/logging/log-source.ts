// Where the Logging emulator's entries come from: each source turns logs another emulator keeps
// into LogEntries on demand.
import type { LogEntry } from './log-entry.js';

export interface LogSource {
  /** Every entry of the project's logs the source holds, read afresh on each call. */
  entries(projectId: string): Promise<LogEntry[]>;
}
