// An emulator killed with SIGKILL cannot stop its processes; the next one on the same data
// directory reaps them (replicas and model servers), and the lost job reads FAILED.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { clientsFor, DOUBLING_SERVER, PARENT, waitFor } from './support.js';
import type { Clients } from './support.js';

const serverModule = fileURLToPath(new URL('../../../emulators/vertex/server.ts', import.meta.url));
// The child starts the emulator and prints its port; SIGTERM closes it properly.
const CHILD = `
const { startVertexEmulator } = await import(process.argv[1]);
const emulator = await startVertexEmulator({ dataDir: process.argv[2], storageRoot: process.argv[3] });
console.log(JSON.stringify({ port: emulator.port }));
process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
`;

const dataDir = mkdtempSync(join(tmpdir(), 'vertex-orphans-'));
const storageRoot = mkdtempSync(join(tmpdir(), 'vertex-orphans-gcs-'));
const children: ChildProcess[] = [];
const clients: Clients[] = [];
/** Process groups the test saw started: killed at the end whatever happened. */
const groups: number[] = [];

async function startChild(): Promise<{ child: ChildProcess; clients: Clients }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, serverModule, dataDir, storageRoot], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  const c = clientsFor(port);
  clients.push(c);
  return { child, clients: c };
}

/** Running (not a zombie waiting for a parent to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

afterAll(async () => {
  for (const c of clients) await Promise.all(Object.values(c).map((client: { close(): Promise<void> }) => client.close()));
  // A live child closes its emulator (and so its processes) on SIGTERM; SIGKILL only if it hangs.
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone: the expected case.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(storageRoot, { recursive: true, force: true });
});

describe('orphaned processes', () => {
  it('are killed by the next emulator on the same data directory, and the lost job reads FAILED', async () => {
    const first = await startChild();
    const jobPidFile = join(storageRoot, 'job.pid');
    const [job] = await first.clients.jobs.createCustomJob({
      parent: PARENT,
      customJob: { displayName: 'orphan', jobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'alpine', command: ['sh', '-c', 'echo $$ > /gcs/job.pid; sleep 120'] } }] } },
    });
    // Model commands expand Kubernetes-style $(VAR), where $$ stands for one $.
    const [upload] = await first.clients.models.uploadModel({
      parent: PARENT,
      modelId: 'orphan-server',
      model: { displayName: 'server', containerSpec: { imageUri: 'python:3.11', command: ['sh', '-c', 'echo $$$$ > /gcs/server.pid; exec python3 -c "$SERVER"'], env: [{ name: 'SERVER', value: DOUBLING_SERVER }] } },
    });
    await upload.promise();
    const [create] = await first.clients.endpoints.createEndpoint({ parent: PARENT, endpoint: { displayName: 'orphans' } });
    const [endpoint] = await create.promise();
    const [deploy] = await first.clients.endpoints.deployModel({ endpoint: endpoint.name!, deployedModel: { model: `${PARENT}/models/orphan-server`, dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1 } } });
    await deploy.promise();
    await waitFor(() => Promise.resolve(existsSync(jobPidFile) && existsSync(join(storageRoot, 'server.pid'))), Boolean);
    const jobPid = Number(readFileSync(jobPidFile, 'utf8'));
    const serverPid = Number(readFileSync(join(storageRoot, 'server.pid'), 'utf8'));
    groups.push(jobPid, serverPid);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // Nothing stopped them: they run on without their emulator.
    expect(alive(jobPid)).toBe(true);
    expect(alive(serverPid)).toBe(true);

    const second = await startChild();
    // Reaped before the new instance listens (SIGKILL is delivered at once; allow the kernel a moment).
    await waitFor(() => Promise.resolve(!alive(jobPid) && !alive(serverPid)), Boolean, 5_000, 50);
    const [lost] = await second.clients.jobs.getCustomJob({ name: job.name! });
    expect(lost.state).toBe('JOB_STATE_FAILED');
    // The endpoint's model server comes back as a new process, which the reaping left alone.
    const predictions = await waitFor(
      async () => second.clients.predictions.predict({ endpoint: endpoint.name!, instances: [{ numberValue: 4 }] }).then(([r]) => r.predictions?.map((p) => p.numberValue)).catch(() => undefined),
      (p) => p !== undefined,
    );
    expect(predictions).toEqual([8]);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 60_000);
});
