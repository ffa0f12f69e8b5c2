// entries:list over HTTP with the request gcloud and the client libraries send
// ({resourceNames, filter, orderBy, pageSize, pageToken}), over replica log files laid out as the
// Vertex emulator writes them. (@google-cloud/logging is not a dependency of the project, so the
// official client is not used here; the gcloud test drives the same route end to end.)
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggingEmulator } from '../../../emulators/logging/server.js';
import { startLoggingEmulator } from '../../../emulators/logging/server.js';
import { VertexReplicaLogs } from '../../../emulators/logging/vertex-replica-logs.js';

const PROJECT = 'local-project';
let root: string;
let logging: LoggingEmulator;

function replicaLog(job: string, task: string): string {
  const dir = join(root, 'customJobs', job);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${task}.log`);
}

/** Sets a file's modification time `secondsAgo` in the past (the emulator stamps lines with it). */
function age(path: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, when, when);
}

async function list(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${logging.url}/v2/entries:list?alt=json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface Entry {
  insertId: string;
  timestamp: string;
  severity: string;
  logName: string;
  resource: { type: string; labels: Record<string, string> };
  jsonPayload: { message: string };
}

const entriesOf = (json: Record<string, unknown>) => (json.entries ?? []) as Entry[];
const jobFilter = (job: string) => `resource.type="ml_job" AND resource.labels.job_id="${job}"`;

describe('Logging emulator entries:list', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'logging-emulator-'));
    const chief = replicaLog('111', 'workerpool0-0');
    writeFileSync(chief, 'chief line 1\nchief line 2\nchief line 3\n');
    age(chief, 30);
    const worker = replicaLog('111', 'workerpool1-0');
    writeFileSync(worker, 'worker says hi\n');
    age(worker, 20);
    const other = replicaLog('222', 'workerpool0-0');
    writeFileSync(other, 'another job\n');
    age(other, 20);
    logging = await startLoggingEmulator({ sources: [new VertexReplicaLogs(root, PROJECT)] });
  });
  afterAll(async () => {
    await logging.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers gcloud's request with Vertex's ml_job entries, oldest first, lines in order", async () => {
    const { status, json } = await list({ filter: `${jobFilter('111')} AND timestamp>="1970-01-01T01:00:00.000000000Z"`, orderBy: 'timestamp asc', pageSize: 1000, resourceNames: [`projects/${PROJECT}`] });
    expect(status).toBe(200);
    const entries = entriesOf(json);
    expect(entries.map((e) => e.jsonPayload.message)).toEqual(['chief line 1', 'chief line 2', 'chief line 3', 'worker says hi']);
    expect(entries[0]).toEqual({
      insertId: expect.any(String) as unknown,
      jsonPayload: { message: 'chief line 1', levelname: 'INFO', attrs: { tag: 'workerpool0-0' } },
      resource: { type: 'ml_job', labels: { project_id: PROJECT, job_id: '111', task_name: 'workerpool0-0' } },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/) as unknown,
      receiveTimestamp: expect.any(String) as unknown,
      severity: 'INFO',
      logName: `projects/${PROJECT}/logs/workerpool0-0`,
    });
    expect(entries[3]!.logName).toBe(`projects/${PROJECT}/logs/workerpool1-0`);
    // Lines stamped with the file's modification time: about 30 s ago for the chief.
    expect(Math.abs(Date.parse(entries[0]!.timestamp) - (Date.now() - 30_000))).toBeLessThan(5_000);
    expect(new Set(entries.map((e) => e.insertId)).size).toBe(4);
  });

  it('pages with nextPageToken, orders newest first on request, and binds the token to the query', async () => {
    const request = { filter: jobFilter('111'), orderBy: 'timestamp desc', pageSize: 3, resourceNames: [`projects/${PROJECT}`] };
    const first = await list(request);
    expect(entriesOf(first.json).map((e) => e.jsonPayload.message)).toEqual(['worker says hi', 'chief line 3', 'chief line 2']);
    expect(first.json.nextPageToken).toEqual(expect.any(String));
    const second = await list({ ...request, pageToken: first.json.nextPageToken });
    expect(entriesOf(second.json).map((e) => e.jsonPayload.message)).toEqual(['chief line 1']);
    expect(second.json.nextPageToken).toBeUndefined();
    const replayed = await list({ ...request, filter: jobFilter('222'), pageToken: first.json.nextPageToken });
    expect(replayed.status).toBe(400);
  });

  it('returns lines appended later with later timestamps, and holds a line until it is finished', async () => {
    const path = replicaLog('333', 'workerpool0-0');
    writeFileSync(path, 'before\n');
    age(path, 60);
    const request = { filter: jobFilter('333'), resourceNames: [`projects/${PROJECT}`] };
    const first = entriesOf((await list(request)).json);
    expect(first.map((e) => e.jsonPayload.message)).toEqual(['before']);
    appendFileSync(path, 'after\nstill being writ');
    age(path, 1);
    const second = entriesOf((await list(request)).json);
    expect(second.map((e) => e.jsonPayload.message)).toEqual(['before', 'after']);
    expect(second[0]).toEqual(first[0]);
    expect(second[1]!.timestamp > second[0]!.timestamp).toBe(true);
    // Nothing written for a while: the unfinished last line is taken as it is.
    age(path, 10);
    expect(entriesOf((await list(request)).json).map((e) => e.jsonPayload.message)).toEqual(['before', 'after', 'still being writ']);
  });

  it('returns nothing for another project and refuses what it does not hold or understand, naming it', async () => {
    expect(await list({ filter: jobFilter('111'), resourceNames: ['projects/someone-else'] })).toEqual({ status: 200, json: {} });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ resourceNames: ['organizations/1'] }, /organizations\/1.*not supported/],
      [{ resourceNames: ['buckets/x'] }, /invalid resource name/],
      [{}, /resourceNames is required/],
      [{ resourceNames: [`projects/${PROJECT}`], filter: 'log_id("workerpool0-0")' }, /Unparseable filter: the function log_id\(\) is not supported/],
      [{ resourceNames: [`projects/${PROJECT}`], orderBy: 'insertId asc' }, /orderBy "insertId asc" is not supported/],
      [{ resourceNames: [`projects/${PROJECT}`], pageSize: -1 }, /pageSize must not be negative/],
      [{ resourceNames: [`projects/${PROJECT}`], pageSize: 'ten' }, /pageSize/],
      [{ resourceNames: [`projects/${PROJECT}`], limit: 5 }, /Unknown name "limit"/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await list(body);
      expect({ body, status }).toEqual({ body, status: 400 });
      expect(json.error).toEqual(expect.objectContaining({ code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(message) as unknown }));
    }
  });
});
