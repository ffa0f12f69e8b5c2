// What makes recording pipeline runs in ML Metadata cheap, without giving up what it promised: a
// snapshot's saves are written once per node and survive a restart; a node removed in the same
// turn as its save is not written back; tasks unchanged since written are not rewritten (but a
// deleted one is); a running job's snapshots are spaced out while its final one is written at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetadataService } from '../../../emulators/vertex/metadata/index.js';
import { openMetadataService } from '../../../emulators/vertex/metadata/index.js';
import { PipelineLineage } from '../../../emulators/vertex/metadata/pipeline-lineage.js';
import { Operations } from '../../../emulators/vertex/operations/operations.js';
import type { Operation } from '../../../emulators/vertex/operations/operations.js';
import type { ExecutionState, PipelineJobDetail, PipelineTaskDetail } from '../../../emulators/vertex/pipeline-engine/types.js';
import { JsonStore } from '../../../emulators/vertex/state/json-store.js';

const STORE = 'projects/p/locations/l/metadataStores/default';
let dir: string;
let metadata: MetadataService;

const open = () => openMetadataService(dir, new Operations(new JsonStore<Operation>(dir, 'operations')));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metadata-batching-'));
  metadata = await open();
});
afterEach(async () => {
  vi.restoreAllMocks();
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

function task(id: string, state: ExecutionState): PipelineTaskDetail {
  return {
    taskId: id,
    taskName: `t${id}`,
    taskUniqueName: `t${id}`,
    createTime: '2026-01-01T00:00:00Z',
    state: state === 'COMPLETE' ? 'SUCCEEDED' : 'RUNNING',
    pipelineTaskStatus: [],
    execution: { name: `${STORE}/executions/${id}`, displayName: `t${id}`, state, schemaTitle: 'system.ContainerExecution', schemaVersion: '0.0.1', metadata: {}, createTime: '2026-01-01T00:00:00Z', updateTime: '2026-01-01T00:00:00Z' },
    outputs: { data: { artifacts: [{ name: `${STORE}/artifacts/a${id}`, displayName: 'data', uri: `gs://b/${id}`, state: 'LIVE', schemaTitle: 'system.Dataset', schemaVersion: '0.0.1', metadata: {} }] } },
  };
}

const detail = (tasks: PipelineTaskDetail[]): PipelineJobDetail => ({ pipelineContext: context('pipe', 'system.Pipeline'), pipelineRunContext: context('job-1', 'system.PipelineRun'), taskDetails: tasks });

describe('ML Metadata writes', () => {
  it('writes each node of a snapshot once, and all of it survives a restart', async () => {
    const put = vi.spyOn(JsonStore.prototype, 'put');
    await new PipelineLineage(metadata).record('job-1', detail([task('1', 'COMPLETE'), task('2', 'COMPLETE')]), true);
    const puts = put.mock.calls.map(([name]) => name);
    // Inserted, given events and added to the run: still one write per execution and artifact.
    for (const name of [`${STORE}/executions/1`, `${STORE}/executions/2`, `${STORE}/artifacts/a1`, `${STORE}/artifacts/a2`]) expect(puts.filter((p) => p === name)).toHaveLength(1);

    const restarted = await open();
    const execution = restarted.state.find('executions', `${STORE}/executions/2`);
    expect(execution?.resource.state).toBe('COMPLETE');
    expect(execution?.contexts).toEqual([`${STORE}/contexts/job-1`]);
    expect(execution?.events).toEqual([expect.objectContaining({ artifact: `${STORE}/artifacts/a2`, type: 'OUTPUT' })]);
    expect(restarted.state.find('artifacts', `${STORE}/artifacts/a1`)?.contexts).toEqual([`${STORE}/contexts/job-1`]);
    expect(restarted.state.find('contexts', `${STORE}/contexts/job-1`)?.resource.parentContexts).toEqual([`${STORE}/contexts/pipe`]);
  });

  it('does not write back a node removed in the same turn as its save', async () => {
    await metadata.stores.ensure(STORE);
    const name = `${STORE}/artifacts/gone`;
    const saved = metadata.nodes.upsert('artifacts', name, { displayName: 'gone' });
    const removed = metadata.state.remove('artifacts', name);
    await Promise.all([saved, removed]);
    await metadata.state.flush();
    expect((await open()).state.find('artifacts', name)).toBeUndefined();
  });

  it('skips a task unchanged since written, and writes it again once its execution was deleted', async () => {
    const lineage = new PipelineLineage(metadata);
    await lineage.record('job-1', detail([task('1', 'COMPLETE')]), false);
    const upserted: string[] = [];
    const upsert = metadata.nodes.upsert.bind(metadata.nodes);
    metadata.nodes.upsert = (kind, name, resource) => {
      upserted.push(name);
      return upsert(kind, name, resource);
    };
    await lineage.record('job-1', detail([task('1', 'COMPLETE'), task('2', 'RUNNING')]), false);
    expect(upserted).not.toContain(`${STORE}/executions/1`);
    expect(upserted).toContain(`${STORE}/executions/2`);

    await metadata.state.remove('executions', `${STORE}/executions/1`);
    await lineage.record('job-1', detail([task('1', 'COMPLETE'), task('2', 'COMPLETE')]), true);
    expect(metadata.state.find('executions', `${STORE}/executions/1`)?.contexts).toEqual([`${STORE}/contexts/job-1`]);
    expect(metadata.nodes.get('executions', `${STORE}/executions/2`).state).toBe('COMPLETE');
  });

  it("spaces a running job's snapshots out, but writes its final one at once", async () => {
    const lineage = new PipelineLineage(metadata);
    await lineage.record('job-1', detail([task('1', 'RUNNING')]));
    const started = performance.now();
    const intermediate = lineage.record('job-1', detail([task('1', 'RUNNING'), task('2', 'RUNNING')]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Still waiting out the interval: the newer snapshot is not in ML Metadata yet.
    expect(metadata.state.find('executions', `${STORE}/executions/2`)).toBeUndefined();
    await lineage.record('job-1', detail([task('1', 'COMPLETE'), task('2', 'COMPLETE')]), true);
    await intermediate;
    expect(performance.now() - started).toBeLessThan(200);
    expect(metadata.nodes.get('executions', `${STORE}/executions/1`).state).toBe('COMPLETE');
    expect(metadata.nodes.get('executions', `${STORE}/executions/2`).state).toBe('COMPLETE');
  });
});
