// Vertex ML Metadata on the local Vertex through the official MetadataServiceClient (REST
// fallback): stores, artifacts, contexts and executions (create with ids, ALREADY_EXISTS,
// NOT_FOUND, update masks, etags, deletes as operations), paging and order, persistence across a
// restart. Filters, graph edges and lineage: metadata-graph.test.ts; pipelines: metadata-pipelines.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { PARENT, callError, rest, startTestVertex } from './support.js';
import type { TestVertex } from './support.js';

import { STORE, metadataClient, millis, plain, struct } from './metadata-support.js';

let t: TestVertex;
let md: MetadataServiceClient;
beforeAll(async () => {
  t = await startTestVertex();
  md = metadataClient(t.emulator.port);
  const [op] = await md.createMetadataStore({ parent: PARENT, metadataStoreId: 'default', metadataStore: { description: 'test store' } });
  await op.promise();
}, 60_000);
afterAll(async () => {
  await md.close();
  await t.stop();
}, 60_000);

describe('metadata stores', () => {
  it('creates with an id as an operation, gets, lists, refuses a second create and deletes with contents', async () => {
    const [store] = await md.getMetadataStore({ name: STORE });
    expect(store.name).toBe(STORE);
    expect(store.description).toBe('test store');
    expect(store.createTime).toBeTruthy();

    const again = await callError(md.createMetadataStore({ parent: PARENT, metadataStoreId: 'default', metadataStore: {} }));
    expect(again.code).toBe(6); // ALREADY_EXISTS

    const [op] = await md.createMetadataStore({ parent: PARENT, metadataStoreId: 'scratch', metadataStore: {} });
    const [created] = await op.promise();
    expect(created.name).toBe(`${PARENT}/metadataStores/scratch`);
    await md.createArtifact({ parent: created.name!, artifactId: 'art-1', artifact: { uri: 'gs://b/a1' } });
    const [stores] = await md.listMetadataStores({ parent: PARENT });
    expect(stores.map((s) => s.name).sort()).toEqual([STORE, created.name].sort());

    const [del] = await md.deleteMetadataStore({ name: created.name! });
    await del.promise();
    expect((await callError(md.getMetadataStore({ name: created.name! }))).code).toBe(5);
    expect((await callError(md.getArtifact({ name: `${created.name!}/artifacts/art-1` }))).code).toBe(5);
    const bad = await callError(md.createMetadataStore({ parent: PARENT, metadataStoreId: 'Bad_Id', metadataStore: {} }));
    expect(bad.code).toBe(3);
    expect(bad.message).toContain('metadata_store_id');
  });

  it('refuses nodes in a store that does not exist, saying how to create it', async () => {
    const err = await callError(md.createContext({ parent: `${PARENT}/metadataStores/nope`, context: { displayName: 'x' } }));
    expect(err.code).toBe(5);
    expect(err.message).toContain('CreateMetadataStore');
  });
});

describe('artifacts, contexts and executions', () => {
  it('creates an artifact with an id and the fields Vertex keeps, then ALREADY_EXISTS for the same id', async () => {
    const [a] = await md.createArtifact({
      parent: STORE,
      artifactId: 'dataset-1',
      artifact: { displayName: 'train', uri: 'gs://data/train.csv', state: 'LIVE', schemaTitle: 'system.Dataset', schemaVersion: '0.0.1', labels: { team: 'ml' }, metadata: struct({ rows: 100, source: 'bq' }), description: 'training rows' },
    });
    expect(a.name).toBe(`${STORE}/artifacts/dataset-1`);
    expect(a).toMatchObject({ displayName: 'train', uri: 'gs://data/train.csv', state: 'LIVE', schemaTitle: 'system.Dataset', schemaVersion: '0.0.1', labels: { team: 'ml' }, description: 'training rows' });
    expect(plain(a.metadata)).toEqual({ rows: 100, source: 'bq' });
    expect(a.etag).toBeTruthy();
    expect(a.createTime).toEqual(a.updateTime);
    const [got] = await md.getArtifact({ name: a.name! });
    expect(got).toEqual(a);
    const dup = await callError(md.createArtifact({ parent: STORE, artifactId: 'dataset-1', artifact: {} }));
    expect(dup.code).toBe(6);
    expect(dup.message).toContain('dataset-1');
  });

  it('generates ids, refuses bad ids, unknown fields and output-only fields', async () => {
    const [c] = await md.createContext({ parent: STORE, context: { displayName: 'no id', schemaTitle: 'system.Experiment' } });
    expect(c.name).toMatch(new RegExp(`^${STORE}/contexts/[0-9]+$`));
    const badId = await callError(md.createExecution({ parent: STORE, executionId: '-starts-with-dash', execution: {} }));
    expect(badId.code).toBe(3);
    expect(badId.message).toContain('execution_id');
    const tooLong = await callError(md.createExecution({ parent: STORE, executionId: 'a'.repeat(129), execution: {} }));
    expect(tooLong.code).toBe(3);
    // 4 to 128 characters, as the proto's execution_id comment says.
    const tooShort = await callError(md.createExecution({ parent: STORE, executionId: 'abc', execution: {} }));
    expect(tooShort.code).toBe(3);
    expect(tooShort.message).toContain('4 to 128');
    await md.createExecution({ parent: STORE, executionId: 'abcd', execution: {} });
    const unknown = await rest(t.emulator, 'POST', `/v1/${STORE}/artifacts?artifactId=art-x1`, { uri: 'gs://x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain('colour');
    const outputOnly = await rest(t.emulator, 'POST', `/v1/${STORE}/contexts`, { parentContexts: [`${STORE}/contexts/x`] });
    expect(outputOnly.status).toBe(400);
    expect(JSON.stringify(outputOnly.json)).toContain('parent_contexts');
    const badState = await rest(t.emulator, 'POST', `/v1/${STORE}/executions`, { state: 'DONE' });
    expect(badState.status).toBe(400);
    const badLabel = await callError(md.createArtifact({ parent: STORE, artifact: { labels: { Team: 'ml' } } }));
    expect(badLabel.code).toBe(3);
    expect(badLabel.message).toContain('artifact.labels: key "Team"');
    const badValue = await callError(md.updateContext({ context: { name: `${STORE}/contexts/${c.name!.split('/').pop()!}`, labels: { team: 'M L' } } }));
    expect(badValue.code).toBe(3);
  });

  it('NOT_FOUND for a missing node, INVALID_ARGUMENT for a malformed name', async () => {
    expect((await callError(md.getExecution({ name: `${STORE}/executions/missing` }))).code).toBe(5);
    expect((await callError(md.getContext({ name: `${STORE}/contexts/missing` }))).code).toBe(5);
    const res = await rest(t.emulator, 'GET', `/v1/${STORE}/artifacts/missing`);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { status: 'NOT_FOUND' } });
  });

  it('updates with a mask, without one (populated fields), with a stale etag, and with allow_missing', async () => {
    const [e] = await md.createExecution({ parent: STORE, executionId: 'train-1', execution: { displayName: 'train', state: 'RUNNING', schemaTitle: 'system.ContainerExecution', metadata: struct({ lr: 0.1 }) } });
    const [masked] = await md.updateExecution({ execution: { name: e.name, state: 'COMPLETE', displayName: 'ignored' }, updateMask: { paths: ['state'] } });
    expect(masked.state).toBe('COMPLETE');
    expect(masked.displayName).toBe('train');
    expect(plain(masked.metadata)).toEqual({ lr: 0.1 });
    expect(masked.etag).not.toBe(e.etag);
    expect(millis(masked.updateTime)).toBeGreaterThan(millis(e.updateTime));

    const [unmasked] = await md.updateExecution({ execution: { name: e.name, metadata: struct({ lr: 0.2, epochs: 3 }) } });
    expect(plain(unmasked.metadata)).toEqual({ lr: 0.2, epochs: 3 });
    expect(unmasked.state).toBe('COMPLETE');

    // What a client read and sends back whole (output-only fields included) is accepted.
    const [whole] = await md.updateExecution({ execution: { ...unmasked, description: 'read-modify-write' } });
    expect(whole.description).toBe('read-modify-write');

    const stale = await callError(md.updateExecution({ execution: { name: e.name, etag: e.etag, state: 'FAILED' } }));
    expect(stale.code).toBe(9); // FAILED_PRECONDITION
    const [current] = await md.getExecution({ name: e.name! });
    expect(current.state).toBe('COMPLETE');

    const [ctx] = await md.createContext({ parent: STORE, contextId: 'renamed', context: { displayName: 'before' } });
    const [renamed] = await md.updateContext({ context: { ...ctx, displayName: 'after' }, updateMask: { paths: ['display_name'] } });
    expect(renamed).toMatchObject({ name: ctx.name, displayName: 'after' });

    const badPath = await callError(md.updateExecution({ execution: { name: e.name }, updateMask: { paths: ['create_time'] } }));
    expect(badPath.code).toBe(3);
    expect(badPath.message).toContain('create_time');

    const missing = await callError(md.updateArtifact({ artifact: { name: `${STORE}/artifacts/later`, uri: 'gs://x' } }));
    expect(missing.code).toBe(5);
    const [upserted] = await md.updateArtifact({ artifact: { name: `${STORE}/artifacts/later`, uri: 'gs://x', state: 'PENDING' }, allowMissing: true });
    expect(upserted).toMatchObject({ name: `${STORE}/artifacts/later`, uri: 'gs://x', state: 'PENDING' });
  });

  it('deletes as an operation, refusing a stale etag', async () => {
    const [c] = await md.createContext({ parent: STORE, contextId: 'to-delete', context: { displayName: 'gone soon' } });
    const stale = await callError(md.deleteContext({ name: c.name!, etag: 'not-the-etag' }));
    expect(stale.code).toBe(9);
    const [op] = await md.deleteContext({ name: c.name!, etag: c.etag! });
    await op.promise();
    expect((await callError(md.getContext({ name: c.name! }))).code).toBe(5);
    expect((await callError(md.deleteContext({ name: c.name! }))).code).toBe(5);
    const [a] = await md.createArtifact({ parent: STORE, artifact: { uri: 'gs://tmp' } });
    const [aop] = await md.deleteArtifact({ name: a.name! });
    await aop.promise();
    expect((await callError(md.getArtifact({ name: a.name! }))).code).toBe(5);
  });
});

describe('metadata schemas', () => {
  it('creates with an id, gets, lists by type, refuses a taken id', async () => {
    const schema = 'title: custom.Thing\ntype: object\nproperties:\n  size:\n    type: integer\n';
    const [created] = await md.createMetadataSchema({ parent: STORE, metadataSchemaId: 'custom-thing', metadataSchema: { schemaVersion: '0.0.1', schema, schemaType: 'ARTIFACT_TYPE', description: 'things' } });
    expect(created).toMatchObject({ name: `${STORE}/metadataSchemas/custom-thing`, schemaVersion: '0.0.1', schema, schemaType: 'ARTIFACT_TYPE' });
    const [got] = await md.getMetadataSchema({ name: created.name! });
    expect(got).toEqual(created);
    await md.createMetadataSchema({ parent: STORE, metadataSchemaId: 'custom-run', metadataSchema: { schemaVersion: '0.0.1', schema: 'title: custom.Run\ntype: object\n', schemaType: 'EXECUTION_TYPE' } });
    const [artifactTypes] = await md.listMetadataSchemas({ parent: STORE, filter: 'schema_type="ARTIFACT_TYPE"' });
    expect(artifactTypes.map((s) => s.name)).toEqual([created.name]);
    expect((await callError(md.createMetadataSchema({ parent: STORE, metadataSchemaId: 'custom-thing', metadataSchema: { schema } }))).code).toBe(6);
    expect((await callError(md.createMetadataSchema({ parent: STORE, metadataSchema: { schemaVersion: '1' } }))).code).toBe(3); // schema is required
    expect((await callError(md.getMetadataSchema({ name: `${STORE}/metadataSchemas/nope` }))).code).toBe(5);
  });
});

describe('purge', () => {
  it('counts what a filter matches without force, deletes it with force', async () => {
    for (const id of ['tmp-1', 'tmp-2', 'tmp-3']) await md.createExecution({ parent: STORE, executionId: id, execution: { schemaTitle: 'system.Scratch', state: id === 'tmp-3' ? 'FAILED' : 'COMPLETE' } });
    const [dry] = await md.purgeExecutions({ parent: STORE, filter: 'schema_title="system.Scratch" AND state=COMPLETE' });
    const [counted] = await dry.promise();
    expect(Number(counted.purgeCount)).toBe(2);
    expect([...(counted.purgeSample ?? [])].sort()).toEqual([`${STORE}/executions/tmp-1`, `${STORE}/executions/tmp-2`]);
    await md.getExecution({ name: `${STORE}/executions/tmp-1` });
    const [forced] = await md.purgeExecutions({ parent: STORE, filter: 'schema_title="system.Scratch" AND state=COMPLETE', force: true });
    await forced.promise();
    expect((await callError(md.getExecution({ name: `${STORE}/executions/tmp-1` }))).code).toBe(5);
    await md.getExecution({ name: `${STORE}/executions/tmp-3` });
    expect((await callError(md.purgeExecutions({ parent: STORE, filter: '' }))).code).toBe(3);
  });
});

describe('listing', () => {
  it('pages in creation order, orders by a field, and refuses a token from another listing', async () => {
    const [op] = await md.createMetadataStore({ parent: PARENT, metadataStoreId: 'paging', metadataStore: {} });
    const [store] = await op.promise();
    const ids = ['e', 'c', 'a', 'd', 'b'];
    for (const id of ids) await md.createContext({ parent: store.name!, contextId: `ctx-${id}`, context: { displayName: id } });

    const first = await md.listContexts({ parent: store.name!, pageSize: 2 }, { autoPaginate: false });
    expect(first[0].map((c) => c.displayName)).toEqual(['e', 'c']);
    const token = first[2]?.nextPageToken;
    expect(token).toBeTruthy();
    const second = await md.listContexts({ parent: store.name!, pageSize: 2, pageToken: token! }, { autoPaginate: false });
    expect(second[0].map((c) => c.displayName)).toEqual(['a', 'd']);
    const [all] = await md.listContexts({ parent: store.name!, pageSize: 2 });
    expect(all.map((c) => c.displayName)).toEqual(ids);

    const [ordered] = await md.listContexts({ parent: store.name!, orderBy: 'display_name desc' });
    expect(ordered.map((c) => c.displayName)).toEqual(['e', 'd', 'c', 'b', 'a']);
    const badOrder = await callError(md.listContexts({ parent: store.name!, orderBy: 'colour' }));
    expect(badOrder.code).toBe(3);
    const replayed = await callError(md.listContexts({ parent: store.name!, pageSize: 2, pageToken: token!, filter: 'display_name="a"' }, { autoPaginate: false }));
    expect(replayed.code).toBe(3);
    expect(replayed.message).toContain('page_token');
  });
});

describe('persistence', () => {
  it('keeps stores, nodes, memberships, children and events across a restart', async () => {
    const [parent] = await md.createContext({ parent: STORE, contextId: 'persist-parent', context: { schemaTitle: 'system.Experiment' } });
    const [child] = await md.createContext({ parent: STORE, contextId: 'persist-child', context: { schemaTitle: 'system.ExperimentRun' } });
    const [artifact] = await md.createArtifact({ parent: STORE, artifactId: 'persist-model', artifact: { uri: 'gs://m', schemaTitle: 'system.Model', metadata: struct({ auc: 0.9 }) } });
    const [execution] = await md.createExecution({ parent: STORE, executionId: 'persist-run', execution: { state: 'COMPLETE' } });
    await md.addContextChildren({ context: parent.name!, childContexts: [child.name!] });
    await md.addContextArtifactsAndExecutions({ context: child.name!, artifacts: [artifact.name!], executions: [execution.name!] });
    await md.addExecutionEvents({ execution: execution.name!, events: [{ artifact: artifact.name!, type: 'OUTPUT' }] });

    await md.close();
    await t.stop({ keepData: true });
    t = await t.restart();
    md = metadataClient(t.emulator.port);

    const [store] = await md.getMetadataStore({ name: STORE });
    expect(store.description).toBe('test store');
    const [childAfter] = await md.getContext({ name: child.name! });
    expect(childAfter.parentContexts).toEqual([parent.name]);
    const [artifactAfter] = await md.getArtifact({ name: artifact.name! });
    expect(artifactAfter).toEqual(artifact);
    const [graph] = await md.queryContextLineageSubgraph({ context: child.name! });
    expect(graph.artifacts?.map((a) => a.name)).toEqual([artifact.name]);
    expect(graph.executions?.map((e) => e.name)).toEqual([execution.name]);
    expect(graph.events).toEqual([expect.objectContaining({ artifact: artifact.name, execution: execution.name, type: 'OUTPUT' })]);
    // New nodes after the restart still come later in creation order.
    const [later] = await md.createContext({ parent: STORE, contextId: 'persist-later', context: {} });
    expect(millis(later.createTime)).toBeGreaterThan(millis(childAfter.createTime));
  }, 60_000);
});
