// How pipeline runs are written to ML Metadata, without a pipeline: snapshots of one job apply in
// order with only the newest waiting one written, a re-sent snapshot changes nothing, a DAG's
// outputs do not rename its inner task's artifacts, and a failing write is logged, never thrown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataService } from '../../../emulators/vertex/metadata/index.js';
import { openMetadataService } from '../../../emulators/vertex/metadata/index.js';
import { PipelineLineage } from '../../../emulators/vertex/metadata/pipeline-lineage.js';
import { Operations } from '../../../emulators/vertex/operations/operations.js';
import type { Operation } from '../../../emulators/vertex/operations/operations.js';
import type { PipelineJobDetail, PipelineTaskDetail, ExecutionState } from '../../../emulators/vertex/pipeline-engine/types.js';
import { JsonStore } from '../../../emulators/vertex/state/json-store.js';

const STORE = 'projects/p/locations/l/metadataStores/default';
let dir: string;
let metadata: MetadataService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metadata-recording-'));
  metadata = await openMetadataService(dir, new Operations(new JsonStore<Operation>(dir, 'operations')));
});
afterEach(async () => {
  await metadata.state.flush();
  rmSync(dir, { recursive: true, force: true });
});

const context = (id: string, schemaTitle: 'system.Pipeline' | 'system.PipelineRun') => ({
  name: `${STORE}/contexts/${id}`,
  displayName: id,
  schemaTitle,
  schemaVersion: '0.0.1',
  createTime: '2026-01-01T00:00:00Z',
  updateTime: '2026-01-01T00:00:00Z',
});

function task(id: string, name: string, state: ExecutionState, schemaTitle = 'system.ContainerExecution', outputs?: PipelineTaskDetail['outputs']): PipelineTaskDetail {
  return {
    taskId: id,
    taskName: name,
    taskUniqueName: name,
    createTime: '2026-01-01T00:00:00Z',
    state: state === 'COMPLETE' ? 'SUCCEEDED' : 'RUNNING',
    pipelineTaskStatus: [],
    execution: { name: `${STORE}/executions/${id}`, displayName: name, state, schemaTitle, schemaVersion: '0.0.1', createTime: '2026-01-01T00:00:00Z', updateTime: '2026-01-01T00:00:00Z', metadata: {} },
    ...(outputs ? { outputs } : {}),
  };
}

const artifact = (displayName: string) => ({
  artifacts: [{ name: `${STORE}/artifacts/7`, displayName, uri: 'gs://b/model', state: 'LIVE' as const, schemaTitle: 'system.Model', schemaVersion: '0.0.1', metadata: {} }],
});

const detail = (tasks: PipelineTaskDetail[]): PipelineJobDetail => ({ pipelineContext: context('pipe', 'system.Pipeline'), pipelineRunContext: context('job-1', 'system.PipelineRun'), taskDetails: tasks });

describe('pipeline lineage recording', () => {
  it('writes the newest of the snapshots sent while one is written, and nothing for a repeat', async () => {
    const lineage = new PipelineLineage(metadata);
    // Every execution write, as `{id} {state}`: what was written, not only where it ended.
    const writes: string[] = [];
    const upsert = metadata.nodes.upsert.bind(metadata.nodes);
    metadata.nodes.upsert = (kind, name, resource) => {
      if (kind === 'executions') writes.push(`${name.slice(name.lastIndexOf('/') + 1)} ${String(resource.state)}`);
      return upsert(kind, name, resource);
    };
    const first = lineage.record('job-1', detail([task('1', 'train', 'RUNNING')]));
    const second = lineage.record('job-1', detail([task('1', 'train', 'RUNNING'), task('2', 'eval', 'RUNNING')]));
    const third = lineage.record('job-1', detail([task('1', 'train', 'COMPLETE'), task('2', 'eval', 'COMPLETE')]));
    await Promise.all([first, second, third]);
    expect(metadata.nodes.get('executions', `${STORE}/executions/1`).state).toBe('COMPLETE');
    expect(metadata.nodes.get('executions', `${STORE}/executions/2`).state).toBe('COMPLETE');
    expect(metadata.nodes.get('contexts', `${STORE}/contexts/job-1`).parentContexts).toEqual([`${STORE}/contexts/pipe`]);
    // Only the newest was written: the earlier ones (eval RUNNING) were replaced while they waited.
    expect(writes).not.toContain('2 RUNNING');
    expect(writes).toEqual(['1 COMPLETE', '2 COMPLETE']);

    const before = metadata.nodes.get('executions', `${STORE}/executions/1`);
    await lineage.record('job-1', detail([task('1', 'train', 'COMPLETE'), task('2', 'eval', 'COMPLETE')]));
    expect(metadata.nodes.get('executions', `${STORE}/executions/1`)).toEqual(before);
  });

  it("keeps the producing task's artifact name when its DAG reports the same artifact as its own output", async () => {
    const lineage = new PipelineLineage(metadata);
    await lineage.record('job-1', detail([task('1', 'train', 'COMPLETE', 'system.ContainerExecution', { model: artifact('model') })]));
    await lineage.record('job-1', detail([task('1', 'train', 'COMPLETE', 'system.ContainerExecution', { model: artifact('model') }), task('0', 'pipe', 'COMPLETE', 'system.DAGExecution', { best: artifact('best') })]));
    expect(metadata.nodes.get('artifacts', `${STORE}/artifacts/7`).displayName).toBe('model');
    const [dag, train] = [metadata.lineage.queryExecutionInputsAndOutputs(`${STORE}/executions/0`), metadata.lineage.queryExecutionInputsAndOutputs(`${STORE}/executions/1`)];
    expect(dag.events).toEqual([expect.objectContaining({ type: 'OUTPUT', artifact: `${STORE}/artifacts/7` })]);
    expect(train.events).toEqual([expect.objectContaining({ type: 'OUTPUT', artifact: `${STORE}/artifacts/7` })]);
  });

  it('logs a failing write and resolves: the job never waits on or fails with its metadata', async () => {
    const lineage = new PipelineLineage(metadata);
    const upsert = metadata.nodes.upsert.bind(metadata.nodes);
    metadata.nodes.upsert = () => Promise.reject(new Error('disk full'));
    await expect(lineage.record('job-1', detail([task('1', 'train', 'RUNNING')]))).resolves.toBeUndefined();
    // The next snapshot is tried again once writing works.
    metadata.nodes.upsert = upsert;
    await lineage.record('job-1', detail([task('1', 'train', 'COMPLETE')]));
    expect(metadata.nodes.get('executions', `${STORE}/executions/1`).state).toBe('COMPLETE');
  });

  it('records nothing for a job refused before it ran', async () => {
    await new PipelineLineage(metadata).record('job-1', detail([]));
    expect(metadata.state.stores.values()).toEqual([]);
  });
});
