// A metadata outage never blocks an outcome: the submission records best-effort (its PipelineJob
// already runs), and a completion rethrows a transient failure for the redelivery only within the
// retry budget after its pipeline ended; later it logs a WARNING and goes on. A permanent failure
// is logged at once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResolvedModelSpec } from '../../../control-plane/config/load-model-specs.js';
import type { DecisionRecord } from '../../../control-plane/evaluation/decision.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import type { TuningRunRecord } from '../../../control-plane/state/tuning-runs.js';
import { METADATA_RETRY_BUDGET_MS, trackTrainingCompleted, trackTrainingSubmitted, trackTuningTrials } from '../../../control-plane/tracking/record.js';
import type { TuningResult } from '../../../control-plane/tuning/tuning-result.js';

const NOW = new Date('2026-12-03T12:00:00Z');

/** A context whose metadata service fails every call with `code` (14 UNAVAILABLE: transient; 7 PERMISSION_DENIED: permanent). */
function failingContext(code: number): { ctx: ControlPlaneContext; calls: () => number } {
  let calls = 0;
  const fail = () => {
    calls += 1;
    return Promise.reject(Object.assign(new Error(`metadata down (${code})`), { code }));
  };
  const client = new Proxy({}, { get: (_target, prop) => (prop === 'then' ? undefined : fail) });
  const ctx = {
    settings: { projectId: 'p', region: 'us-central1' },
    clients: { metadata: () => Promise.resolve(client) },
    now: () => new Date(NOW),
  } as unknown as ControlPlaneContext;
  return { ctx, calls: () => calls };
}

const spec = { name: 'churn' } as unknown as ResolvedModelSpec;
const run = { id: 'req-1', name: 'trainingRuns/req-1', reason: 'test' } as unknown as TrainingRunRecord;
const decision = { name: 'decisions/req-1', outcome: 'REJECT' } as unknown as DecisionRecord;
const tuningRun = { id: 'tune-1', name: 'tuningRuns/tune-1' } as unknown as TuningRunRecord;
const result = { trials: [], metric: { id: 'rmse' } } as unknown as TuningResult;
const endedAgo = (ms: number) => ({ endTime: { seconds: String(Math.floor((NOW.getTime() - ms) / 1000)), nanos: 0 } });

afterEach(() => vi.restoreAllMocks());

function warnings(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('"WARNING"'));
}

describe('recording in an ML Metadata outage', () => {
  it('the submission never fails for it, transient or not, and logs a warning', async () => {
    const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    for (const code of [14, 7]) {
      const { ctx, calls } = failingContext(code);
      await expect(trackTrainingSubmitted(ctx, spec, run, 'projects/p/locations/us-central1/pipelineJobs/req-1')).resolves.toBeUndefined();
      expect(calls()).toBeGreaterThan(0);
    }
    expect(warnings(log)).toHaveLength(2);
  });

  it('a completion rethrows a transient failure within the budget after the pipeline ended (the redelivery records it)', async () => {
    const { ctx } = failingContext(14);
    const job = endedAgo(60_000);
    await expect(trackTrainingCompleted(ctx, { spec, run, pipelineJob: 'j', job, decision })).rejects.toThrow('metadata down');
    await expect(trackTuningTrials(ctx, spec, tuningRun, result, job)).rejects.toThrow('metadata down');
    // Without the job's end, the redelivery decides.
    await expect(trackTrainingCompleted(ctx, { spec, run, pipelineJob: 'j', decision })).rejects.toThrow('metadata down');
  });

  it('past the budget, a completion logs a warning and goes on', async () => {
    const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { ctx, calls } = failingContext(14);
    const job = endedAgo(METADATA_RETRY_BUDGET_MS + 1000);
    await expect(trackTrainingCompleted(ctx, { spec, run, pipelineJob: 'j', job, decision })).resolves.toBeUndefined();
    await expect(trackTuningTrials(ctx, spec, tuningRun, result, job)).resolves.toBeUndefined();
    expect(calls()).toBeGreaterThan(0);
    expect(warnings(log).join('\n')).toContain('the completion goes on without it');
  });
});
