// The Logging query subset the emulator parses: the exact filters gcloud's log tailer sends,
// Logging's own precedence (OR before AND, juxtaposition is AND), and a 400-worthy error that
// names each construct it does not support.
import { describe, expect, it } from 'vitest';
import { compileLoggingFilter } from '../../../emulators/logging/filter/compile.js';
import { LoggingFilterError } from '../../../emulators/logging/filter/lexer.js';
import { parseLoggingFilter } from '../../../emulators/logging/filter/parser.js';
import type { LogEntry } from '../../../emulators/logging/log-entry.js';

function entry(overrides: Partial<LogEntry> & { task?: string; job?: string } = {}): LogEntry {
  const { task = 'workerpool0-0', job = '123', ...rest } = overrides;
  return {
    insertId: `${job}-${task}-0000000001`,
    jsonPayload: { message: 'Epoch 3: loss=0.25', levelname: 'INFO', attrs: { tag: task } },
    resource: { type: 'ml_job', labels: { project_id: 'p', job_id: job, task_name: task } },
    timestamp: '2024-05-01T10:00:00.500000000Z',
    receiveTimestamp: '2024-05-01T10:00:00.500000000Z',
    severity: 'INFO',
    logName: `projects/p/logs/${task}`,
    ...rest,
  };
}

const matches = (filter: string, e: LogEntry) => compileLoggingFilter(filter)(e);

function failure(filter: string): LoggingFilterError {
  try {
    compileLoggingFilter(filter);
  } catch (err) {
    if (err instanceof LoggingFilterError) return err;
    throw err;
  }
  throw new Error(`expected ${filter} to be refused`);
}

describe('Logging filter', () => {
  it("evaluates gcloud's first stream-logs query: type, job, and a timestamp window", () => {
    const filter = 'resource.type="ml_job" AND resource.labels.job_id="123" AND timestamp>="1970-01-01T01:00:00.000000000Z" AND timestamp<"2024-05-01T10:00:01.000000Z"';
    expect(matches(filter, entry())).toBe(true);
    expect(matches(filter, entry({ job: '456' }))).toBe(false);
    expect(matches(filter, entry({ timestamp: '2024-05-01T10:00:01.000000001Z' }))).toBe(false);
    expect(matches(filter, entry({ resource: { type: 'gce_instance', labels: { job_id: '123' } } }))).toBe(false);
  });

  it("resumes after gcloud's position: same timestamp with a later insertId, or a later timestamp", () => {
    const T = '2024-05-01T10:00:00.500000000Z';
    const filter = `resource.type="ml_job" AND resource.labels.job_id="123" AND ((timestamp="${T}" AND insertId>"123-workerpool0-0-0000000001") OR timestamp>"${T}") AND timestamp<"2030-01-01T00:00:00Z"`;
    expect(matches(filter, entry({ insertId: '123-workerpool0-0-0000000001' }))).toBe(false);
    expect(matches(filter, entry({ insertId: '123-workerpool0-0-0000000002' }))).toBe(true);
    expect(matches(filter, entry({ insertId: '123-workerpool0-0-0000000000', timestamp: '2024-05-01T10:00:00.500000001Z' }))).toBe(true);
    // The same instant written with fewer digits or another offset is equal.
    expect(matches('timestamp="2024-05-01T12:00:00.5+02:00"', entry())).toBe(true);
  });

  it('filters by task name, as --task-name does', () => {
    const filter = 'resource.type="ml_job" AND resource.labels.job_id="123" AND resource.labels.task_name="workerpool1-0"';
    expect(matches(filter, entry({ task: 'workerpool1-0' }))).toBe(true);
    expect(matches(filter, entry())).toBe(false);
  });

  it('binds OR tighter than AND and ANDs terms written side by side', () => {
    expect(parseLoggingFilter('a="1" OR b="2" c="3"')).toEqual({
      kind: 'and',
      items: [
        { kind: 'or', items: [expect.objectContaining({ path: ['a'] }), expect.objectContaining({ path: ['b'] })] },
        expect.objectContaining({ path: ['c'], op: '=', value: { kind: 'string', text: '3' } }),
      ],
    });
    const e = entry({ task: 'workerpool1-0' });
    // (job 999 OR task workerpool1-0) AND severity ERROR: false; under AND-first precedence it would be true.
    expect(matches('resource.labels.job_id="999" OR resource.labels.task_name="workerpool1-0" AND severity=ERROR', e)).toBe(false);
    expect(matches('resource.labels.job_id="999" OR resource.labels.task_name="workerpool1-0" severity=INFO', e)).toBe(true);
  });

  it('supports NOT, -, severity levels, has, presence, regular expressions and quoted label keys', () => {
    const e = entry({ severity: 'WARNING', labels: { 'ml.googleapis.com/trial_id': '7' } });
    expect(matches('severity>=WARNING', e)).toBe(true);
    expect(matches('severity>ERROR', e)).toBe(false);
    expect(matches('severity>=400', e)).toBe(true);
    expect(matches('NOT severity=WARNING', e)).toBe(false);
    expect(matches('-resource.labels.job_id="123"', e)).toBe(false);
    expect(matches('jsonPayload.message:"LOSS="', e)).toBe(true);
    expect(matches('jsonPayload:"epoch 3"', e)).toBe(true);
    expect(matches('textPayload:*', e)).toBe(false);
    expect(matches('jsonPayload.attrs.tag:*', e)).toBe(true);
    expect(matches('jsonPayload.message=~"loss=0\\\\.2\\\\d"', e)).toBe(true);
    expect(matches('jsonPayload.message!~"^Epoch"', e)).toBe(false);
    expect(matches('labels."ml.googleapis.com/trial_id"="7"', e)).toBe(true);
    expect(matches('log_name="projects/p/logs/workerpool0-0" resource.labels.job_id!="9"', e)).toBe(true);
  });

  it.each([
    ['"some text"', /global restrictions/],
    ['error', /global restrictions .*"error"/],
    ['log_id("workerpool0-0")', /function log_id\(\)/],
    ['sample(insertId, 0.1)', /function sample\(\)/],
    ['resource.type=', /missing value/],
    ['(resource.type="ml_job"', /missing '\)'/],
    ['timestamp>="yesterday"', /RFC 3339/],
    ['severity=LOUD', /unknown severity "LOUD"/],
    ['jsonPayload.message=~"("', /invalid regular expression/],
    ['jobId="1"', /unknown LogEntry field 'jobId'/],
    ['resource.type="ml_job" AND', /unexpected end of filter/],
  ])('refuses %s, naming the problem', (filter, message) => {
    expect(failure(filter).message).toMatch(message);
  });
});
