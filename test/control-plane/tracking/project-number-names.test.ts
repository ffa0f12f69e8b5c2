// Real Vertex names the project by NUMBER in what it answers, while the control plane builds names
// with the project id. Through a client that answers that way (project-number-client.ts): the lineage
// API finds the version's node and its chain, the experiment runs list filters by the experiment as
// Vertex names it (newest first across pages), and the idempotent links (context children, events)
// are recognised as already made. The lineage also answers with hundreds of versions released on
// one endpoint (bounded hops, not through the shared endpoint artifact).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getVersionLineage, listExperimentRuns, parseExperimentRunsQuery } from '../../../control-plane/api/tracking.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { SCHEMA, experimentId, experimentRunContextId, modelArtifactId } from '../../../control-plane/tracking/conventions.js';
import { MetadataStore, sameMetadataName } from '../../../control-plane/tracking/metadata-store.js';
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { metadataClient, struct } from '../../emulators/vertex/metadata-support.js';
import { LOCATION, PARENT, PROJECT, startTestVertex } from '../../emulators/vertex/support.js';
import type { TestVertex } from '../../emulators/vertex/support.js';
import type { NumberedClient } from './project-number-client.js';
import { PROJECT_NUMBER, projectNumberClient } from './project-number-client.js';

const MODEL = 'churn';
const STORE = `${PARENT}/metadataStores/default`;
const VERSIONS = 260;
const A = (id: string) => `${STORE}/artifacts/${id}`;
const E = (id: string) => `${STORE}/executions/${id}`;
const C = (id: string) => `${STORE}/contexts/${id}`;

let t: TestVertex;
let md: MetadataServiceClient;
let numbered: NumberedClient;
let ctx: ControlPlaneContext;

beforeAll(async () => {
  t = await startTestVertex();
  md = metadataClient(t.emulator.port);
  const [op] = await md.createMetadataStore({ parent: PARENT, metadataStoreId: 'default', metadataStore: {} });
  await op.promise();
  numbered = projectNumberClient(md, PROJECT);
  const clients = {
    metadata: () => Promise.resolve(numbered.client),
    models: () => Promise.resolve({ getModel: ({ name }: { name: string }) => Promise.resolve([{ versionId: name.slice(name.indexOf('@') + 1) }]) }),
  };
  ctx = { settings: { projectId: PROJECT, region: LOCATION }, models: { require: (name: string) => ({ name }) }, clients } as unknown as ControlPlaneContext;
}, 60_000);
afterAll(async () => {
  await md?.close();
  await t?.stop();
}, 60_000);

async function inBatches(count: number, each: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 1; i <= count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i + 1) }, (_, k) => each(i + k)));
}

describe('metadata resource names with the project number', () => {
  it('compares names whatever names the project', () => {
    expect(sameMetadataName(C('a-run'), C('a-run').replace(`projects/${PROJECT}/`, `projects/${PROJECT_NUMBER}/`))).toBe(true);
    expect(sameMetadataName(C('a-run'), C('b-run'))).toBe(false);
    expect(sameMetadataName(undefined, C('a-run'))).toBe(false);
  });

  it("a version's lineage among hundreds released on one endpoint: its own nodes, edges and chain", async () => {
    const endpoint = `projects/${PROJECT}/locations/${LOCATION}/endpoints/${MODEL}`;
    await md.createArtifact({ parent: STORE, artifactId: 'endpoint-churn', artifact: { schemaTitle: SCHEMA.vertexEndpoint, displayName: MODEL, metadata: struct({ resourceName: endpoint }) } });
    const version = (v: number) => `projects/${PROJECT}/locations/${LOCATION}/models/${MODEL}@${v}`;
    await inBatches(VERSIONS, async (v) => {
      const model = modelArtifactId(version(v));
      await Promise.all([
        md.createArtifact({ parent: STORE, artifactId: model, artifact: { schemaTitle: SCHEMA.vertexModel, displayName: `${MODEL}@${v}`, metadata: struct({ resourceName: version(v) }) } }),
        md.createArtifact({ parent: STORE, artifactId: `dataset-${v}`, artifact: { schemaTitle: SCHEMA.dataset, displayName: `snapshot ${v}`, uri: `gs://b/snapshots/${v}/` } }),
        md.createExecution({ parent: STORE, executionId: `register-${v}`, execution: { schemaTitle: SCHEMA.containerExecution, state: 'COMPLETE', metadata: struct({ kind: 'registration', pipelineJob: `${PARENT}/pipelineJobs/run-${v}` }) } }),
        md.createExecution({ parent: STORE, executionId: `rollout-${v}`, execution: { schemaTitle: SCHEMA.containerExecution, state: 'COMPLETE', metadata: struct({ kind: 'rollout', rollout: `rollouts/${MODEL}-v${v}`, outcome: 'promoted' }) } }),
      ]);
      await md.addExecutionEvents({ execution: E(`register-${v}`), events: [{ artifact: A(`dataset-${v}`), type: 'INPUT' }, { artifact: A(model), type: 'OUTPUT' }] });
      await md.addExecutionEvents({ execution: E(`rollout-${v}`), events: [{ artifact: A(model), type: 'INPUT' }, { artifact: A('endpoint-churn'), type: 'OUTPUT' }] });
    });

    const view = await getVersionLineage(ctx, MODEL, '5');
    expect(view.artifact).toBe(`projects/${PROJECT_NUMBER}/locations/${LOCATION}/metadataStores/default/artifacts/${modelArtifactId(version(5))}`);
    const names = view.nodes.map((n) => n.id.slice(n.id.lastIndexOf('/') + 1)).sort();
    expect(names).toEqual(['dataset-5', 'endpoint-churn', modelArtifactId(version(5)), 'register-5', 'rollout-5'].sort());
    expect(view.edges).toHaveLength(4);
    expect(view.chain.map((s) => s.stage)).toEqual(['snapshot', 'pipelineRun', 'modelVersion', 'rollout']);
    expect(view.chain.at(-1)).toMatchObject({ name: `rollouts/${MODEL}-v5`, outcome: 'promoted' });
  }, 120_000);

  it('lists the experiment runs under the experiment as Vertex names it, newest first across pages', async () => {
    const experiment = experimentId(MODEL);
    await md.createContext({ parent: STORE, contextId: experiment, context: { schemaTitle: SCHEMA.experiment, displayName: experiment } });
    const runs = ['run-1', 'run-2', 'run-3', 'run-4', 'run-5'];
    for (const run of runs) {
      const id = experimentRunContextId(experiment, run);
      await md.createContext({ parent: STORE, contextId: id, context: { schemaTitle: SCHEMA.experimentRun, displayName: run } });
      await md.addContextChildren({ context: C(experiment), childContexts: [C(id)] });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = await listExperimentRuns(ctx, MODEL, parseExperimentRunsQuery({ pageSize: 2 }));
    expect(first.experimentRuns.map((r) => r.runId)).toEqual(['run-5', 'run-4']);
    const second = await listExperimentRuns(ctx, MODEL, parseExperimentRunsQuery({ pageSize: 2, pageToken: first.nextPageToken }));
    expect(second.experimentRuns.map((r) => r.runId)).toEqual(['run-3', 'run-2']);
  });

  it('recognises context children and events already linked, whatever names the project', async () => {
    const store = new MetadataStore(() => Promise.resolve(numbered.client), PARENT);
    await md.createContext({ parent: STORE, contextId: 'parent-ctx', context: {} });
    await md.createContext({ parent: STORE, contextId: 'child-ctx', context: {} });
    await store.addChildren(C('parent-ctx'), [C('child-ctx')]);
    await store.addChildren(C('parent-ctx'), [C('child-ctx')]);
    expect(numbered.calls.get('addContextChildren')).toBe(1);

    await md.createArtifact({ parent: STORE, artifactId: 'in-data', artifact: {} });
    await md.createExecution({ parent: STORE, executionId: 'step-1', execution: {} });
    await store.addEvents(E('step-1'), [{ artifact: A('in-data'), type: 'INPUT' }]);
    await store.addEvents(E('step-1'), [{ artifact: A('in-data'), type: 'INPUT' }]);
    // Any event with the artifact is the link (Vertex skips a second one, whatever its type).
    await store.addEvents(E('step-1'), [{ artifact: A('in-data'), type: 'OUTPUT' }]);
    expect(numbered.calls.get('addExecutionEvents')).toBe(1);
  });
});
