// Tuning trials in ML Metadata (through a client answering as Vertex does, project by number):
// linked to the experiment in one call per chunk, skipped on a redelivery when already recorded and
// unchanged, every trial tried whatever one's failure (a transient one rethrown at the end, a
// permanent one logged). And an id taken by another kind of node is never overwritten.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResolvedModelSpec } from '../../../control-plane/config/load-model-specs.js';
import { ControlPlaneError, isTransient } from '../../../control-plane/errors.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import type { TuningRunRecord } from '../../../control-plane/state/tuning-runs.js';
import { SCHEMA, SCHEMA_VERSION, experimentId } from '../../../control-plane/tracking/conventions.js';
import { recordTuningTrials } from '../../../control-plane/tracking/experiments.js';
import { MetadataStore } from '../../../control-plane/tracking/metadata-store.js';
import type { TuningResult, TuningTrial } from '../../../control-plane/tuning/tuning-result.js';
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { metadataClient, plain, struct } from '../../emulators/vertex/metadata-support.js';
import { LOCATION, PARENT, PROJECT, startTestVertex } from '../../emulators/vertex/support.js';
import type { TestVertex } from '../../emulators/vertex/support.js';
import type { NumberedClient } from './project-number-client.js';
import { projectNumberClient } from './project-number-client.js';

const STORE = `${PARENT}/metadataStores/default`;
const TRIALS = 30;

let t: TestVertex;
let md: MetadataServiceClient;
beforeAll(async () => {
  t = await startTestVertex();
  md = metadataClient(t.emulator.port);
  const [op] = await md.createMetadataStore({ parent: PARENT, metadataStoreId: 'default', metadataStore: {} });
  await op.promise();
}, 60_000);
afterAll(async () => {
  await md?.close();
  await t?.stop();
}, 60_000);

function contextFor(numbered: NumberedClient): ControlPlaneContext {
  // A fresh `clients` per context: metadataStore(ctx) is one per clients object.
  return { settings: { projectId: PROJECT, region: LOCATION }, clients: { metadata: () => Promise.resolve(numbered.client) } } as unknown as ControlPlaneContext;
}

const trial = (n: number): TuningTrial => ({ id: String(n), state: 'SUCCEEDED', modelType: 'xgboost', hyperparameters: { max_depth: n }, value: 1 / n }) as unknown as TuningTrial;
const result = (model: string): TuningResult => ({ job: `${PARENT}/hyperparameterTuningJobs/${model}`, metric: { id: 'rmse' }, trials: Array.from({ length: TRIALS }, (_, i) => trial(i + 1)) }) as unknown as TuningResult;
const tuningRun = (id: string): TuningRunRecord => ({ id, name: `tuningRuns/${id}`, pipelineJob: `${PARENT}/pipelineJobs/${id}` }) as unknown as TuningRunRecord;

async function linkedTrials(model: string): Promise<string[]> {
  const [contexts] = await md.listContexts({ parent: STORE, filter: `parent_contexts:"${STORE}/contexts/${experimentId(model)}"` });
  return contexts.map((c) => c.displayName ?? '').sort();
}

describe('tuning trials in ML Metadata', () => {
  it('links them in one call, and a redelivery skips those recorded and unchanged', async () => {
    const model = 'trials-batched';
    const numbered = projectNumberClient(md, PROJECT);
    const spec = { name: model } as unknown as ResolvedModelSpec;
    const names = await recordTuningTrials(contextFor(numbered), spec, tuningRun('tune-a'), result(model));
    expect(names).toHaveLength(TRIALS);
    expect(await linkedTrials(model)).toHaveLength(TRIALS);
    expect(numbered.calls.get('addContextChildren')).toBe(1);
    expect(numbered.calls.get('getContext') ?? 0).toBe(0);
    const creates = numbered.calls.get('createContext');

    const again = await recordTuningTrials(contextFor(numbered), spec, tuningRun('tune-a'), result(model));
    expect(again).toEqual(names);
    // Only the experiment's context is ensured again; no trial is written, nothing linked.
    expect(numbered.calls.get('createContext')).toBe(creates! + 1);
    expect(numbered.calls.get('addContextChildren')).toBe(1);
  });

  it('tries every trial when one fails: a transient failure is rethrown after all, a permanent one logged', async () => {
    for (const [code, model] of [[14, 'trials-transient'], [7, 'trials-permanent']] as const) {
      const numbered = projectNumberClient(md, PROJECT, (method, request) =>
        method === 'createContext' && String(request.contextId).endsWith('-trial-3') ? Object.assign(new Error(`refused (${code})`), { code }) : undefined,
      );
      const spec = { name: model } as unknown as ResolvedModelSpec;
      const recording = recordTuningTrials(contextFor(numbered), spec, tuningRun('tune-b'), result(model));
      if (code === 14) {
        const err = await recording.catch((e: unknown) => e);
        expect(isTransient(err)).toBe(true);
      } else {
        const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
        expect(await recording).toHaveLength(TRIALS - 1);
        expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toContain('a trial of tuning run tune-b not recorded');
        log.mockRestore();
      }
      // Settled: every other trial is recorded and linked, none still being written.
      expect(await linkedTrials(model)).toHaveLength(TRIALS - 1);
    }
  });

  it('never overwrites a node of another schema that has the id (a model named like a pipeline)', async () => {
    await md.createContext({ parent: STORE, contextId: 'pipe-churn', context: { schemaTitle: 'system.Pipeline', metadata: struct({ owner: 'kfp' }) } });
    const store = new MetadataStore(() => Promise.resolve(projectNumberClient(md, PROJECT).client), PARENT);
    const err = await store.ensureContext({ id: 'pipe-churn', schemaTitle: SCHEMA.experiment, schemaVersion: SCHEMA_VERSION, displayName: 'pipe-churn', metadata: { experiment_deleted: false } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect((err as ControlPlaneError).status).toBe('FAILED_PRECONDITION');
    expect(isTransient(err)).toBe(false);
    const [stored] = await md.getContext({ name: `${STORE}/contexts/pipe-churn` });
    expect(stored.schemaTitle).toBe('system.Pipeline');
    expect(plain(stored.metadata)).toEqual({ owner: 'kfp' });
  });
});
