// A model's tuning runs: all of them (not the first page of a guessed prefix), none of another
// model whose ids share the prefix, newest first, then the limit.
import { describe, expect, it } from 'vitest';
import type { TuningRunRecord } from '../../../control-plane/state/tuning-runs.js';
import { TuningRuns, tuningRunId, tuningRunIdPrefix } from '../../../control-plane/state/tuning-runs.js';
import { MapStore } from './map-store.js';

function run(model: string, requestId: string, createTime: string): TuningRunRecord {
  const id = tuningRunId(model, requestId);
  return {
    name: `tuningRuns/${id}`, id, model, requestId, reason: '', state: 'QUEUED', train: false, createTime, updateTime: createTime,
    study: { modelTypes: ['ridge'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'RANDOM_SEARCH', maxTrialCount: 1, parallelTrialCount: 1, maxFailedTrialCount: 0, earlyStopping: 'none', parameters: [] },
  };
}

describe('TuningRuns.listForModel', () => {
  it('lists every run of the model, newest first, then limits; another model sharing the prefix is left out', async () => {
    const runs = new TuningRuns(new MapStore().asStore());
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    // Another model whose ids start with this model's prefix, created after (so newer).
    for (let i = 0; i < 50; i++) await runs.createOrGet(run('flight-delay', `r-${i}`, at(i)));
    for (let i = 0; i < 60; i++) await runs.createOrGet(run('flight-delay-tuning', `x-${i}`, at(100 + i)));
    await runs.createOrGet(run('other', 'r-1', at(200)));
    const listed = await runs.listForModel('flight-delay', 45);
    expect(listed).toHaveLength(45);
    expect(listed.every((r) => r.model === 'flight-delay')).toBe(true);
    expect(listed[0]!.requestId).toBe('r-49');
    expect(listed.map((r) => r.createTime)).toEqual([...listed.map((r) => r.createTime)].sort().reverse());
    expect(await runs.listForModel('flight-delay', 100)).toHaveLength(50);
  });

  it('the prefix is what every id of the model starts with, also for a name the id cuts short', () => {
    for (const model of ['m', 'flight-delay', `a${'b'.repeat(45)}`, `a${'b'.repeat(62)}`, `a${'b'.repeat(44)}-x`]) {
      for (const requestId of ['r', 'R.1:x', 'z'.repeat(128)]) expect(tuningRunId(model, requestId).startsWith(tuningRunIdPrefix(model))).toBe(true);
    }
  });
});
