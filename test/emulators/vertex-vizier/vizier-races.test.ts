// The Vizier API's services in process, where the interleavings the HTTP API allows can be forced:
// a trial deleted or stopped while a suggestion hands out REQUESTED trials, and a study deleted
// while a trial is being created in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleApiError } from '../../../emulators/kit/google-error.js';
import type { Operation } from '../../../emulators/vertex/operations/operations.js';
import { Operations } from '../../../emulators/vertex/operations/operations.js';
import { JsonStore } from '../../../emulators/vertex/state/json-store.js';
import type { Designer } from '../../../emulators/vertex/vizier/designer.js';
import type { StoredStudy } from '../../../emulators/vertex/vizier/studies.js';
import { VizierStudies } from '../../../emulators/vertex/vizier/studies.js';
import { VizierSuggestions } from '../../../emulators/vertex/vizier/suggest-trials.js';
import type { StoredTrial } from '../../../emulators/vertex/vizier/trials.js';
import { VizierTrials } from '../../../emulators/vertex/vizier/trials.js';

const PARENT = 'projects/p/locations/us-central1';
const noDesigner: Designer = {
  suggest: () => Promise.reject(new Error('RANDOM_SEARCH does not ask the Designer')),
  decayCurveStop: () => Promise.reject(new Error('not used')),
  close: () => Promise.resolve(),
};
const point = (x: number) => ({ parameters: [{ parameterId: 'x', value: x }] });

let dir: string;
let studies: VizierStudies;
let operations: Operations;
let trialStore: JsonStore<StoredTrial>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vizier-races-'));
  const studyStore = new JsonStore<StoredStudy>(dir, 'studies');
  trialStore = new JsonStore<StoredTrial>(dir, 'trials');
  await Promise.all([studyStore.load(), trialStore.load()]);
  studies = new VizierStudies(studyStore);
  operations = new Operations(new JsonStore<Operation>(dir, 'operations'));
});
afterEach(async () => {
  await operations.settle();
  rmSync(dir, { recursive: true, force: true });
});

async function study(): Promise<string> {
  const created = await studies.create(PARENT, {
    displayName: `s-${Math.random()}`,
    studySpec: { metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'x', doubleValueSpec: { minValue: 0, maxValue: 1 } }], algorithm: 'RANDOM_SEARCH' },
  });
  return String(created.name);
}

async function suggestion(suggestions: VizierSuggestions, name: string, count: number, clientId: string): Promise<Operation> {
  const started = await suggestions.suggest(name, { suggestionCount: count, clientId });
  await operations.wait(started.name, 10_000);
  return operations.get(started.name)!;
}

describe('a suggestion handing out REQUESTED trials', () => {
  it('skips one deleted or stopped meanwhile and suggests a new trial in its place', async () => {
    const name = await study();
    const plain = new VizierTrials(trialStore, studies);
    const [t1, t2, t3] = [await plain.create(name, point(0.1)), await plain.create(name, point(0.2)), await plain.create(name, point(0.3))];
    // Handing out trial 1 lets other requests in: one deletes trial 2, another hands trial 3 to someone else.
    class Racing extends VizierTrials {
      override async assign(trial: string, clientId: string) {
        if (trial === t1.name) {
          await plain.delete(String(t2.name));
          await super.assign(String(t3.name), 'someone-else');
        }
        return super.assign(trial, clientId);
      }
    }
    const trials = new Racing(trialStore, studies);
    const op = await suggestion(new VizierSuggestions(studies, trials, operations, noDesigner), name, 3, 'c');
    expect(op.error).toBeUndefined();
    const handed = (op.response as { trials: StoredTrial[] }).trials;
    expect(handed.map((t) => [t.id, t.state, t.clientId])).toEqual([
      ['1', 'ACTIVE', 'c'],
      ['4', 'ACTIVE', 'c'],
      ['5', 'ACTIVE', 'c'],
    ]);
    expect(trials.get(String(t3.name)).clientId).toBe('someone-else');
  });

  it('gives a REQUESTED trial only while it is REQUESTED', async () => {
    const name = await study();
    const trials = new VizierTrials(trialStore, studies);
    const requested = await trials.create(name, point(0.5));
    expect((await trials.assign(String(requested.name), 'a'))?.clientId).toBe('a');
    expect(await trials.assign(String(requested.name), 'b')).toBeUndefined();
    await trials.delete(String(requested.name));
    expect(await trials.assign(String(requested.name), 'b')).toBeUndefined();
  });
});

describe('a study deleted while a trial is created in it', () => {
  it('leaves no orphaned trial: the creation fails NOT_FOUND', async () => {
    const name = await study();
    const trials = new VizierTrials(trialStore, studies);
    studies.afterDelete = (deleted) => trials.deleteAll(deleted);
    // The creation is past its checks and waiting for its trial id when the study goes.
    const creating = trials.create(name, point(0.5));
    const deleting = studies.delete(name);
    const [created, deleted] = await Promise.allSettled([creating, deleting]);
    expect(deleted.status).toBe('fulfilled');
    expect(created.status).toBe('rejected');
    const reason = (created as PromiseRejectedResult).reason as GoogleApiError;
    expect([reason.code, reason.message]).toEqual([404, `Study ${name} not found.`]);
    expect(trialStore.values()).toEqual([]);
  });
});
