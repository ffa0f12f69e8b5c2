// The demo's progress: one rewriting status line on a terminal, a line per change elsewhere; task log lines as a person reads them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatusLine } from '../../scripts/demo/status-line.js';
import { latestLine, latestTaskLogLine, taskLogFile } from '../../scripts/demo/task-log.js';

function stream(isTTY: boolean, columns = 40) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns, write: (c: string) => out.push(c) } };
}

describe('status line', () => {
  it('off a terminal prints a line only when the status changes', () => {
    const { out, stream: s } = stream(false);
    const status = new StatusLine(s);
    status.update('train | epoch 1');
    status.update('train | epoch 1');
    status.print('[ 3s] report line');
    status.update('  train | epoch 2');
    status.update(`  train | ${'x'.repeat(300)}`);
    status.clear();
    expect(out.slice(0, 3).join('')).toBe('train | epoch 1\n[ 3s] report line\n  train | epoch 2\n');
    expect(out[3]).toHaveLength(161);
  });

  it('on a terminal rewrites one row, keeps report lines above it, and truncates to the width', () => {
    const { out, stream: s } = stream(true, 20);
    const status = new StatusLine(s);
    status.update('train | epoch 1');
    status.print('report');
    status.update('train | a very long line that does not fit');
    status.clear();
    expect(out).toEqual(['\r\x1b[2Ktrain | epoch 1', '\r\x1b[2Kreport\ntrain | epoch 1', '\r\x1b[2Ktrain | a very lon…', '\r\x1b[2K']);
  });
});

describe('task log', () => {
  it("shows a JSON log line's message and a plain line as it is", () => {
    expect(latestLine('first\n{"severity":"INFO","message":"fitted ridge","rows":10}\n\n')).toBe('fitted ridge');
    expect(latestLine('[local-vertex] attempt 1\nEpoch 3/10\n')).toBe('Epoch 3/10');
    expect(latestLine('[local-vertex] 2026-01-01T00:00:00Z attempt 1: image ["python3"]\n')).toBeUndefined();
    expect(latestLine('{not json\n')).toBe('{not json');
    expect(latestLine('')).toBeUndefined();
  });

  it("reads the running task's log where local Vertex writes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'task-log-'));
    try {
      const job = 'projects/p/locations/us-central1/pipelineJobs/run-1';
      expect(await latestTaskLogLine(dir, job, 'root.train')).toBeUndefined();
      const file = taskLogFile(dir, job, 'root.train');
      expect(file).toBe(join(dir, 'vertex', 'logs', 'pipelineJobs', 'run-1', 'root.train.log'));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'a\nb\n');
      expect(await latestTaskLogLine(dir, job, 'root.train')).toBe('b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
