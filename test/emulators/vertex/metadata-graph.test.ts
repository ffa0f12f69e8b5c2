// ML Metadata's filters and edges through the official MetadataServiceClient: every documented
// filter form (attributes, state, uri, times, metadata values, labels, parent/child contexts,
// in_context, AND/OR/NOT) and the errors for unknown fields and bad syntax; context children and
// cycles; artifacts and executions added to contexts; events; lineage queries with max_hops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { PARENT, callError, rest, startTestVertex } from './support.js';
import type { TestVertex } from './support.js';
import { STORE, metadataClient, millis, struct } from './metadata-support.js';
import { parseMetadataFilter } from '../../../emulators/vertex/metadata/filter.js';

let t: TestVertex;
let md: MetadataServiceClient;
const A = (id: string) => `${STORE}/artifacts/${id}`;
const C = (id: string) => `${STORE}/contexts/${id}`;
const E = (id: string) => `${STORE}/executions/${id}`;
let betweenCreates = '';

beforeAll(async () => {
  t = await startTestVertex();
  md = metadataClient(t.emulator.port);
  const [op] = await md.createMetadataStore({ parent: PARENT, metadataStoreId: 'default', metadataStore: {} });
  await op.promise();
  // Experiment ⊃ two runs; a run holds a dataset, a model and the training execution.
  await md.createContext({ parent: STORE, contextId: 'exp-1', context: { displayName: 'churn', schemaTitle: 'system.Experiment', metadata: struct({ owner: 'ana' }) } });
  await md.createContext({ parent: STORE, contextId: 'run-1', context: { displayName: 'run 1', schemaTitle: 'system.ExperimentRun', labels: { team: 'ml' }, metadata: struct({ lr: 0.1, best: true }) } });
  await md.createContext({ parent: STORE, contextId: 'run-2', context: { displayName: 'run 2', schemaTitle: 'system.ExperimentRun', labels: { team: 'ops' }, metadata: struct({ lr: 0.5, best: false }) } });
  await md.createArtifact({ parent: STORE, artifactId: 'data', artifact: { displayName: 'data', uri: 'gs://b/data.csv', state: 'LIVE', schemaTitle: 'system.Dataset', metadata: struct({ rows: 100, 'split:name': 'train' }) } });
  const [pending] = await md.createArtifact({ parent: STORE, artifactId: 'model', artifact: { displayName: 'model', uri: 'gs://b/model', state: 'PENDING', schemaTitle: 'system.Model', labels: { stage: 'dev' } } });
  betweenCreates = new Date(millis(pending.createTime) + 1).toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await md.createArtifact({ parent: STORE, artifactId: 'metrics', artifact: { displayName: 'metrics', uri: 'gs://b/metrics.json', state: 'LIVE', schemaTitle: 'system.Metrics', metadata: struct({ auc: 0.91 }) } });
  await md.createArtifact({ parent: STORE, artifactId: 'report', artifact: { displayName: 'report', uri: 'gs://b/report.html', state: 'LIVE', schemaTitle: 'system.HTML' } });
  await md.createExecution({ parent: STORE, executionId: 'train', execution: { displayName: 'train', state: 'COMPLETE', schemaTitle: 'system.ContainerExecution', metadata: struct({ 'input:epochs': 3 }) } });
  await md.createExecution({ parent: STORE, executionId: 'evaluate', execution: { displayName: 'evaluate', state: 'FAILED', schemaTitle: 'system.ContainerExecution' } });
  await md.createExecution({ parent: STORE, executionId: 'publish', execution: { displayName: 'publish', state: 'RUNNING', schemaTitle: 'system.Run' } });
  await md.addContextChildren({ context: C('exp-1'), childContexts: [C('run-1'), C('run-2')] });
  await md.addContextArtifactsAndExecutions({ context: C('run-1'), artifacts: [A('data'), A('model')], executions: [E('train')] });
  // data → train → model → evaluate → metrics → publish → report
  await md.addExecutionEvents({ execution: E('train'), events: [{ artifact: A('data'), type: 'INPUT' }, { artifact: A('model'), type: 'OUTPUT' }] });
  await md.addExecutionEvents({ execution: E('evaluate'), events: [{ artifact: A('model'), type: 'INPUT' }, { artifact: A('metrics'), type: 'OUTPUT' }] });
  await md.addExecutionEvents({ execution: E('publish'), events: [{ artifact: A('metrics'), type: 'INPUT' }, { artifact: A('report'), type: 'OUTPUT' }] });
}, 60_000);
afterAll(async () => {
  await md.close();
  await t.stop();
}, 60_000);

const ids = (items: { name?: string | null }[]) => items.map((i) => i.name!.split('/').pop()).sort();
const artifacts = async (filter: string) => ids((await md.listArtifacts({ parent: STORE, filter }))[0]);
const contexts = async (filter: string) => ids((await md.listContexts({ parent: STORE, filter }))[0]);
const executions = async (filter: string) => ids((await md.listExecutions({ parent: STORE, filter }))[0]);

describe('list filters', () => {
  it('attributes: schema_title, display_name, state, uri, name, create_time', async () => {
    expect(await contexts('schema_title="system.ExperimentRun"')).toEqual(['run-1', 'run-2']);
    expect(await contexts('display_name = "churn"')).toEqual(['exp-1']);
    expect(await artifacts('state=LIVE')).toEqual(['data', 'metrics', 'report']);
    expect(await artifacts('state!=LIVE')).toEqual(['model']);
    expect(await executions('state=FAILED OR state=RUNNING')).toEqual(['evaluate', 'publish']);
    expect(await artifacts('uri="gs://b/model"')).toEqual(['model']);
    expect(await artifacts(`name="${A('data')}"`)).toEqual(['data']);
    expect(await artifacts(`create_time>"${betweenCreates}"`)).toEqual(['metrics', 'report']);
    expect(await artifacts(`create_time<="${betweenCreates}"`)).toEqual(['data', 'model']);
    expect(await artifacts('schemaTitle="system.Model"')).toEqual(['model']); // camelCase too
  });

  it('metadata values by type, quoted keys, labels', async () => {
    expect(await contexts('metadata.lr.number_value = 0.1')).toEqual(['run-1']);
    expect(await contexts('metadata.lr.number_value > 0.2')).toEqual(['run-2']);
    expect(await contexts('metadata.best.bool_value = true')).toEqual(['run-1']);
    expect(await contexts('metadata.owner.string_value = "ana"')).toEqual(['exp-1']);
    expect(await artifacts('metadata."split:name".string_value = "train"')).toEqual(['data']);
    expect(await artifacts('metadata.rows.number_value >= 100')).toEqual(['data']);
    expect(await artifacts('metadata.rows.string_value = "100"')).toEqual([]); // a number is not a string
    expect(await executions('metadata."input:epochs".number_value = 3')).toEqual(['train']);
    expect(await contexts('labels.team="ml"')).toEqual(['run-1']);
    expect(await artifacts('labels.stage:*')).toEqual(['model']);
  });

  it('parent_contexts, child_contexts and in_context', async () => {
    expect(await contexts(`parent_contexts:"${C('exp-1')}"`)).toEqual(['run-1', 'run-2']);
    expect(await contexts(`child_contexts:"${C('run-2')}"`)).toEqual(['exp-1']);
    expect(await artifacts(`in_context("${C('run-1')}")`)).toEqual(['data', 'model']);
    expect(await executions(`in_context("${C('run-1')}")`)).toEqual(['train']);
    expect(await executions(`in_context("${C('run-2')}")`)).toEqual([]);
  });

  it('AND, OR, NOT and parentheses', async () => {
    expect(await contexts(`parent_contexts:"${C('exp-1')}" AND labels.team="ml"`)).toEqual(['run-1']);
    expect(await contexts(`schema_title="system.Experiment" OR metadata.lr.number_value = 0.5`)).toEqual(['exp-1', 'run-2']);
    expect(await artifacts('NOT state=LIVE')).toEqual(['model']);
    expect(await artifacts('(schema_title="system.Dataset" OR schema_title="system.Model") AND NOT state=PENDING')).toEqual(['data']);
    expect(await artifacts(`in_context("${C('run-1')}") AND schema_title="system.Model"`)).toEqual(['model']);
  });

  it('refuses unknown fields, wrong kinds of value and bad syntax, naming the problem', async () => {
    const cases: [Promise<unknown>, string][] = [
      [md.listArtifacts({ parent: STORE, filter: 'colour="red"' }), "unknown field 'colour'"],
      [md.listExecutions({ parent: STORE, filter: 'uri="gs://x"' }), "unknown field 'uri'"],
      [md.listArtifacts({ parent: STORE, filter: 'state=DONE' }), 'state of artifacts is one of PENDING, LIVE'],
      [md.listExecutions({ parent: STORE, filter: 'state=LIVE' }), 'state of executions is one of'],
      [md.listArtifacts({ parent: STORE, filter: 'metadata.rows = 3' }), 'metadata.<key>.number_value'],
      [md.listArtifacts({ parent: STORE, filter: 'metadata.rows.number_value = "many"' }), 'takes a number'],
      [md.listArtifacts({ parent: STORE, filter: 'create_time > "yesterday"' }), 'RFC 3339'],
      [md.listArtifacts({ parent: STORE, filter: `parent_contexts:"${C('exp-1')}"` }), 'parent_contexts filters contexts'],
      [md.listContexts({ parent: STORE, filter: `in_context("${C('exp-1')}")` }), 'in_context() filters artifacts and executions'],
      [md.listContexts({ parent: STORE, filter: `parent_contexts="${C('exp-1')}"` }), 'has operator'],
      [md.listArtifacts({ parent: STORE, filter: 'display_name = "unterminated' }), 'unterminated string'],
      [md.listArtifacts({ parent: STORE, filter: '(state=LIVE' }), "missing ')'"],
      [md.listArtifacts({ parent: STORE, filter: 'state=LIVE AND' }), 'expected a field name'],
      [md.listArtifacts({ parent: STORE, filter: 'with_history(true)' }), "unknown function 'with_history'"],
    ];
    for (const [call, text] of cases) {
      const err = await callError(call);
      expect(err.code, text).toBe(3);
      expect(err.message).toContain(text);
    }
    // Every NOT nests a level: a long run of them is refused, not a stack overflow (a 500).
    expect((await artifacts('NOT NOT NOT NOT state=LIVE')).length).toBeGreaterThan(0);
    const nots = await callError(md.listArtifacts({ parent: STORE, filter: `${'NOT '.repeat(6)}state=LIVE` }));
    expect(nots.code).toBe(3);
    expect(nots.message).toContain('nest deeper than 5');
    expect(() => parseMetadataFilter(`${'NOT '.repeat(100_000)}state=LIVE`, 'artifacts')).toThrow(/nest deeper than 5/);
    const raw = await rest(t.emulator, 'GET', `/v1/${STORE}/artifacts?filter=${encodeURIComponent('colour="red"')}`);
    expect(raw.json).toMatchObject({ error: { status: 'INVALID_ARGUMENT', details: [{ fieldViolations: [{ field: 'filter' }] }] } });
  });
});

describe('context children', () => {
  it('adds children once, reports parent_contexts, refuses cycles and removes children', async () => {
    await md.createContext({ parent: STORE, contextId: 'grp-1', context: {} });
    await md.createContext({ parent: STORE, contextId: 'grp-2', context: {} });
    await md.createContext({ parent: STORE, contextId: 'grp-3', context: {} });
    await md.addContextChildren({ context: C('grp-1'), childContexts: [C('grp-2')] });
    await md.addContextChildren({ context: C('grp-1'), childContexts: [C('grp-2')] }); // already there: skipped
    await md.addContextChildren({ context: C('grp-2'), childContexts: [C('grp-3')] });
    expect((await md.getContext({ name: C('grp-2') }))[0].parentContexts).toEqual([C('grp-1')]);

    const cycle = await callError(md.addContextChildren({ context: C('grp-3'), childContexts: [C('grp-1')] }));
    expect(cycle.code).toBe(3);
    expect(cycle.message).toContain('cycle');
    const self = await callError(md.addContextChildren({ context: C('grp-1'), childContexts: [C('grp-1')] }));
    expect(self.code).toBe(3);
    const missing = await callError(md.addContextChildren({ context: C('grp-1'), childContexts: [C('nope')] }));
    expect(missing.code).toBe(5);
    expect((await md.getContext({ name: C('grp-1') }))[0].parentContexts ?? []).toEqual([]);

    await md.removeContextChildren({ context: C('grp-1'), childContexts: [C('grp-2'), C('grp-3')] }); // g3 is not g1's child: skipped
    expect((await md.getContext({ name: C('grp-2') }))[0].parentContexts ?? []).toEqual([]);
    expect((await md.getContext({ name: C('grp-3') }))[0].parentContexts).toEqual([C('grp-2')]);
    // Now g1 may become g3's child.
    await md.addContextChildren({ context: C('grp-3'), childContexts: [C('grp-1')] });
    expect(await contexts(`child_contexts:"${C('grp-1')}"`)).toEqual(['grp-3']);
  });

  it('allows at most 10 parents', async () => {
    await md.createContext({ parent: STORE, contextId: 'many', context: {} });
    for (let i = 0; i < 10; i++) {
      await md.createContext({ parent: STORE, contextId: `par-${i}`, context: {} });
      await md.addContextChildren({ context: C(`par-${i}`), childContexts: [C('many')] });
    }
    await md.createContext({ parent: STORE, contextId: 'par-10', context: {} });
    const err = await callError(md.addContextChildren({ context: C('par-10'), childContexts: [C('many')] }));
    expect(err.code).toBe(3);
    expect(err.message).toContain('10 parent contexts');
  });

  it('a deleted context leaves its children and members', async () => {
    await md.createContext({ parent: STORE, contextId: 'doomed', context: {} });
    await md.createContext({ parent: STORE, contextId: 'orphan', context: {} });
    await md.addContextChildren({ context: C('doomed'), childContexts: [C('orphan')] });
    await md.addContextArtifactsAndExecutions({ context: C('doomed'), artifacts: [A('report')] });
    const [op] = await md.deleteContext({ name: C('doomed') });
    await op.promise();
    expect((await md.getContext({ name: C('orphan') }))[0].parentContexts ?? []).toEqual([]);
    expect(await artifacts(`in_context("${C('doomed')}")`)).toEqual([]);
  });
});

describe('members and events', () => {
  it('adds artifacts and executions to a context once; NOT_FOUND for one that does not exist', async () => {
    await md.addContextArtifactsAndExecutions({ context: C('run-1'), artifacts: [A('data')], executions: [E('train')] });
    const [graph] = await md.queryContextLineageSubgraph({ context: C('run-1') });
    expect(ids(graph.artifacts ?? [])).toEqual(['data', 'model']);
    expect(ids(graph.executions ?? [])).toEqual(['train']);
    expect(graph.events?.map((e) => `${String(e.type)} ${e.artifact!.split('/').pop()!}`).sort()).toEqual(['INPUT data', 'OUTPUT model']);
    const missing = await callError(md.addContextArtifactsAndExecutions({ context: C('run-1'), artifacts: [A('ghost')] }));
    expect(missing.code).toBe(5);
    expect(missing.message).toContain('ghost');
  });

  it('records events once, with the execution and a time; refuses a missing artifact and a missing type', async () => {
    await md.addExecutionEvents({ execution: E('train'), events: [{ artifact: A('data'), type: 'INPUT' }] }); // again: skipped
    // Any event between the execution and the artifact, whatever its type, skips a new one (the proto's rule).
    await md.addExecutionEvents({ execution: E('train'), events: [{ artifact: A('data'), type: 'OUTPUT' }] });
    const [io] = await md.queryExecutionInputsAndOutputs({ execution: E('train') });
    expect(ids(io.artifacts ?? [])).toEqual(['data', 'model']);
    expect(ids(io.executions ?? [])).toEqual(['train']);
    expect(io.events?.length).toBe(2);
    expect(io.events?.find((e) => e.artifact === A('data'))?.type).toBe('INPUT');
    for (const event of io.events ?? []) {
      expect(event.execution).toBe(E('train'));
      expect(millis(event.eventTime)).toBeGreaterThan(0);
    }
    const ghost = await callError(md.addExecutionEvents({ execution: E('train'), events: [{ artifact: A('ghost'), type: 'OUTPUT' }] }));
    expect(ghost.code).toBe(5);
    const untyped = await callError(md.addExecutionEvents({ execution: E('train'), events: [{ artifact: A('data') }] }));
    expect(untyped.code).toBe(3);
    expect(untyped.message).toContain('type');
  });
});

describe('lineage', () => {
  const chain = async (artifact: string, maxHops?: number, filter?: string) => {
    const [graph] = await md.queryArtifactLineageSubgraph({ artifact: A(artifact), ...(maxHops !== undefined ? { maxHops } : {}), ...(filter ? { filter } : {}) });
    return { artifacts: ids(graph.artifacts ?? []), executions: ids(graph.executions ?? []), events: graph.events?.length ?? 0 };
  };

  it('walks events both ways, max_hops edges at most; all of it without max_hops', async () => {
    expect(await chain('model')).toEqual({ artifacts: ['data', 'metrics', 'model', 'report'], executions: ['evaluate', 'publish', 'train'], events: 6 });
    expect(await chain('model', 1)).toEqual({ artifacts: ['model'], executions: ['evaluate', 'train'], events: 2 });
    expect(await chain('model', 2)).toEqual({ artifacts: ['data', 'metrics', 'model'], executions: ['evaluate', 'train'], events: 4 });
    expect(await chain('data', 3)).toEqual({ artifacts: ['data', 'model'], executions: ['evaluate', 'train'], events: 3 });
  });

  it('max_hops 0 is the artifact alone, no max_hops all of it (raw REST); negative is INVALID_ARGUMENT', async () => {
    expect(await chain('model', 0)).toEqual({ artifacts: ['model'], executions: [], events: 0 });
    const zero = await rest(t.emulator, 'GET', `/v1/${A('model')}:queryArtifactLineageSubgraph?maxHops=0`);
    expect(zero.json).toEqual({ artifacts: [expect.objectContaining({ name: A('model') })] });
    const unset = await rest(t.emulator, 'GET', `/v1/${A('model')}:queryArtifactLineageSubgraph`);
    expect((unset.json.artifacts as unknown[]).length).toBe(4);
    const negative = await callError(md.queryArtifactLineageSubgraph({ artifact: A('model'), maxHops: -1 }));
    expect(negative.code).toBe(3);
    expect(negative.message).toContain('max_hops');
  });

  it('keeps only artifacts that match the filter, and does not walk past the others', async () => {
    expect(await chain('model', undefined, 'schema_title != "system.Metrics"')).toEqual({ artifacts: ['data', 'model'], executions: ['evaluate', 'train'], events: 3 });
    const bad = await callError(md.queryArtifactLineageSubgraph({ artifact: A('model'), filter: 'nonsense=1' }));
    expect(bad.code).toBe(3);
    expect((await callError(md.queryArtifactLineageSubgraph({ artifact: A('ghost') }))).code).toBe(5);
  });
});
