// The Vertex AI emulator's CustomJob replica logs (`<vertex dataDir>/logs/customJobs/<job id>/
// workerpool<N>-<i>.log`, one file per replica, stdout and stderr together) read as the LogEntries
// Vertex writes to Cloud Logging: resource `ml_job` {project_id, job_id, task_name}, log
// `projects/P/logs/workerpool0-0`, jsonPayload {message, levelname, attrs: {tag}}.
// Replicas print no times of their own: each line gets the file's modification time when the
// emulator first reads it (an upper bound of when it was written; lines keep their order).
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedMutex } from '../kit/keyed-mutex.js';
import type { LogEntry } from './log-entry.js';
import { logTimestamp } from './log-entry.js';
import type { LogSource } from './log-source.js';

/** A trailing line without a newline is only taken once the file has been quiet this long. */
const PARTIAL_LINE_QUIET_MS = 2_000;
const REPLICA_LOG = /^(workerpool\d+-\d+)\.log$/;

interface FileIndex {
  /** Bytes already turned into entries. */
  consumed: number;
  entries: LogEntry[];
  /** The newest time given to a line: times never go back within a file, even if its mtime does. */
  stampedNs: bigint;
}

export class VertexReplicaLogs implements LogSource {
  private readonly files = new Map<string, FileIndex>();
  /** Concurrent reads of one file must not both append its new lines. */
  private readonly locks = new KeyedMutex();

  /**
   * @param logRoot the Vertex emulator's `<dataDir>/logs`
   * @param projectId the project the jobs run in: the local cloud has one
   */
  constructor(
    private readonly logRoot: string,
    private readonly projectId: string,
  ) {}

  async entries(projectId: string): Promise<LogEntry[]> {
    if (projectId !== this.projectId) return [];
    const root = join(this.logRoot, 'customJobs');
    const out: LogEntry[] = [];
    for (const jobId of await listDir(root)) {
      for (const file of await listDir(join(root, jobId))) {
        const task = REPLICA_LOG.exec(file)?.[1];
        const path = join(root, jobId, file);
        if (task) out.push(...(await this.locks.run(path, () => this.refresh(path, jobId, task))));
      }
    }
    return out;
  }

  /** Reads what was appended since the last call. */
  private async refresh(path: string, jobId: string, task: string): Promise<LogEntry[]> {
    let index = this.files.get(path);
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    if (!info) return index?.entries ?? [];
    const size = Number(info.size);
    if (!index || size < index.consumed) {
      // New, or rewritten from the start (a reset data directory).
      index = { consumed: 0, entries: [], stampedNs: 0n };
      this.files.set(path, index);
    }
    if (size === index.consumed) return index.entries;
    const chunk = await readRange(path, index.consumed, size);
    const lastNewline = chunk.lastIndexOf(0x0a);
    const quiet = Date.now() - Number(info.mtimeMs) >= PARTIAL_LINE_QUIET_MS;
    const end = quiet ? chunk.length : lastNewline + 1;
    if (end === 0) return index.entries;
    const text = chunk.subarray(0, end).toString('utf8');
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    index.stampedNs = info.mtimeNs > index.stampedNs ? info.mtimeNs : index.stampedNs;
    const timestamp = logTimestamp(index.stampedNs);
    for (const line of lines) index.entries.push(this.entry(jobId, task, index.entries.length, line.replace(/\r$/, ''), timestamp));
    index.consumed += end;
    return index.entries;
  }

  private entry(jobId: string, task: string, lineNumber: number, message: string, timestamp: string): LogEntry {
    return {
      // Sorts in line order within a replica: gcloud breaks timestamp ties by insertId.
      insertId: `${jobId}-${task}-${String(lineNumber).padStart(10, '0')}`,
      jsonPayload: { message, levelname: 'INFO', attrs: { tag: task } },
      resource: { type: 'ml_job', labels: { project_id: this.projectId, job_id: jobId, task_name: task } },
      timestamp,
      // stdout and stderr share the replica's file, so the emulator cannot mark stderr ERROR as Vertex does.
      severity: 'INFO',
      logName: `projects/${this.projectId}/logs/${task}`,
      receiveTimestamp: timestamp,
    };
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
