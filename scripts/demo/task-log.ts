// The latest line a running pipeline task wrote, read from the local Vertex emulator's task log
// (`<data dir>/vertex/logs/pipelineJobs/<job id>/<task>.log`), for the demo's status line.
import { join } from 'node:path';
import { z } from 'zod';
import { safeFileName } from '../../emulators/vertex/pipeline-engine/container-task.js';
import { readLogTail } from '../../emulators/vertex/serving/log-tail.js';

// Components log Cloud Logging JSON; show its message (and a few fields a person wants to see).
const JsonLogLine = z.looseObject({ message: z.string() });

export function taskLogFile(dataDir: string, jobName: string, taskUniqueName: string): string {
  return join(dataDir, 'vertex', 'logs', 'pipelineJobs', safeFileName(jobName.split('/').pop() ?? jobName), `${safeFileName(taskUniqueName)}.log`);
}

/** The last non-empty line of `text`, as a person reads it. */
export function latestLine(text: string): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    // The emulator's own header (the command line it ran) is not the task's output.
    .filter((l) => l && !l.startsWith('[local-vertex] '))
    .pop();
  if (line === undefined || !line.startsWith('{')) return line;
  try {
    const parsed = JsonLogLine.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data.message : line;
  } catch {
    return line;
  }
}

export async function latestTaskLogLine(dataDir: string, jobName: string, taskUniqueName: string): Promise<string | undefined> {
  const tail = await readLogTail(taskLogFile(dataDir, jobName, taskUniqueName), 2_048);
  return tail === '(no log written)' ? undefined : latestLine(tail);
}
