// ML Metadata figures: what recording each PipelineJob in ML Metadata (a run context, an execution
// per task, artifacts and events) costs a pipeline on the local Vertex, against the same emulator
// with recording off in the same run; and the latency of lineage reads through
// MetadataServiceClient against GetMetadataStore on the same emulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVertexEmulator } from '../../emulators/vertex/server.js';
import type { VertexEmulator } from '../../emulators/vertex/server.js';
import { MetadataServiceClient, PipelineServiceClient, vertexClientOptions } from '../../google-clients/vertex.js';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/index.js';
import { definePipeline } from '../../pipelines/dsl/index.js';
import { noop, step } from './bench-components.js';
import { buildCreatePipelineJobRequest } from '../../vertex/requests/pipeline-job.js';
import { log } from '../log.js';
import { median, round, timeRuns } from './stats.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const PROJECT = 'bench-project';
const LOCATION = 'us-central1';
const RUNS = 3;
const TERMINAL = new Set(['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED']);


const CHAIN_TASKS = 20;
const chain = definePipeline({ name: 'bench-md-chain' }, (p) => {
  let previous: { name: string } | undefined;
  for (let i = 0; i < CHAIN_TASKS; i++) {
    const t = p.task(noop).setCachingOptions(false);
    if (previous) t.after(previous);
    previous = t;
  }
});
const ARTIFACT_TASKS = 10;
const artifacts = definePipeline({ name: 'bench-md-artifacts' }, (p) => {
  let last = p.task(step, { text: 'seed', n: 0 }).setCachingOptions(false);
  for (let n = 1; n < 4; n++) last = p.task(step, { text: last.outputs.out, n }).setCachingOptions(false);
  for (let n = 4; n < ARTIFACT_TASKS; n++) p.task(step, { text: last.outputs.out, n }).setCachingOptions(false);
});

interface Side {
  readonly emulator: VertexEmulator;
  readonly pipelines: PipelineServiceClient;
  readonly metadata: MetadataServiceClient;
}

async function side(work: string, name: string, recordPipelineLineage: boolean): Promise<Side> {
  const emulator = await startVertexEmulator({ dataDir: join(work, name), storageRoot: join(work, 'storage'), recordPipelineLineage });
  const options = vertexClientOptions(LOCATION, { projectId: PROJECT, env: { VERTEX_EMULATOR_HOST: `127.0.0.1:${emulator.port}` } });
  return { emulator, pipelines: new PipelineServiceClient(options), metadata: new MetadataServiceClient(options) };
}

let jobs = 0;
/** Create → terminal state as a client sees it (polling every 20 ms), in ms. */
async function runJob(s: Side, def: PipelineDefinition): Promise<{ ms: number; jobId: string }> {
  const request = buildCreatePipelineJobRequest({ project: PROJECT, location: LOCATION, pipelineSpec: compilePipeline(def), runKey: `bench-${++jobs}`, gcsOutputDirectory: 'gs://bench-pipelines/root', parameterValues: {} });
  const started = performance.now();
  const [job] = await s.pipelines.createPipelineJob(request);
  for (;;) {
    const [now] = await s.pipelines.getPipelineJob({ name: job.name! });
    if (TERMINAL.has(String(now.state))) {
      if (now.state !== 'PIPELINE_STATE_SUCCEEDED') throw new Error(`${job.name} ended ${String(now.state)}: ${now.error?.message ?? ''}`);
      return { ms: performance.now() - started, jobId: job.name!.split('/').pop()! };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-metadata-'));
const sectionStart = performance.now();
const recording = await side(work, 'recording', true);
const plain = await side(work, 'plain', false);
try {
  let lastRun = '';
  for (const [def, tasks] of [[chain, CHAIN_TASKS], [artifacts, ARTIFACT_TASKS]] as const) {
    // One warm-up each, then the two emulators alternate so load drifts hit both alike.
    await runJob(recording, def);
    await runJob(plain, def);
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await runJob(recording, def);
      lastRun = r.jobId;
      withMs.push(r.ms);
      withoutMs.push((await runJob(plain, def)).ms);
    }
    const withMedian = median(withMs);
    const withoutMedian = median(withoutMs);
    log('INFO', 'bench: ML Metadata recording of a pipeline run', {
      pipeline: def.name,
      tasks,
      runs: RUNS,
      recordingMs: round(withMedian, 1),
      notRecordingMs: round(withoutMedian, 1),
      ratio: round(withMedian / withoutMedian, 3),
      costPerTaskMs: round((withMedian - withoutMedian) / tasks, 2),
    });
  }

  // Reads a console or the lineage API makes, against the cheapest call of the same service.
  const store = `projects/${PROJECT}/locations/${LOCATION}/metadataStores/default`;
  const runContext = `${store}/contexts/${lastRun}`;
  const [subgraph] = await recording.metadata.queryContextLineageSubgraph({ context: runContext });
  const baseline = await timeRuns(() => recording.metadata.getMetadataStore({ name: store }), 30);
  const contextLineage = await timeRuns(() => recording.metadata.queryContextLineageSubgraph({ context: runContext }), 30);
  const firstArtifact = subgraph.artifacts?.[0]?.name;
  const artifactLineage = firstArtifact ? await timeRuns(() => recording.metadata.queryArtifactLineageSubgraph({ artifact: firstArtifact, maxHops: 6 }), 30) : undefined;
  const filtered = await timeRuns(() => recording.metadata.listContexts({ parent: store, filter: 'schema_title="system.PipelineRun"' }, { autoPaginate: false }), 30);
  log('INFO', 'bench: ML Metadata reads through MetadataServiceClient', {
    runContextArtifacts: subgraph.artifacts?.length ?? 0,
    runContextExecutions: subgraph.executions?.length ?? 0,
    runContextEvents: subgraph.events?.length ?? 0,
    getMetadataStoreMedianMs: round(baseline.medianMs, 2),
    queryContextLineageMedianMs: round(contextLineage.medianMs, 2),
    queryContextLineageVsGet: round(contextLineage.medianMs / baseline.medianMs, 2),
    ...(artifactLineage ? { queryArtifactLineageMedianMs: round(artifactLineage.medianMs, 2), queryArtifactLineageVsGet: round(artifactLineage.medianMs / baseline.medianMs, 2) } : {}),
    listPipelineRunContextsMedianMs: round(filtered.medianMs, 2),
    listPipelineRunContextsVsGet: round(filtered.medianMs / baseline.medianMs, 2),
  });
  log('INFO', 'bench: metadata section done', { seconds: round((performance.now() - sectionStart) / 1000, 1) });
} finally {
  for (const s of [recording, plain]) {
    await Promise.allSettled([s.pipelines.close(), s.metadata.close()]);
    await s.emulator.close();
  }
  rmSync(work, { recursive: true, force: true });
}
