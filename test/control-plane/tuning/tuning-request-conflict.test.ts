// A request id names one tuning request: the same request again is its run (idempotent), a different
// one under the same id is ALREADY_EXISTS naming what differs, and the stored run is left as it was.
import { describe, expect, it } from 'vitest';
import { ControlPlaneError, RPC_STATUS } from '../../../control-plane/errors.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import type { TuningRequest } from '../../../control-plane/tuning/submit-tuning-run.js';
import { recordTuningRun } from '../../../control-plane/tuning/submit-tuning-run.js';
import { MapStore } from './map-store.js';

const request: TuningRequest = {
  model: 'flight-delay',
  requestId: 'tune-1',
  reason: 'first',
  study: { modelTypes: ['ridge', 'xgboost'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'RANDOM_SEARCH', maxTrialCount: 6, parallelTrialCount: 3, maxFailedTrialCount: 0, earlyStopping: 'none', parameters: [{ parameterId: 'model_type' }] },
  sourceParameters: { since: '2026-01-01T00:00:00Z' },
  train: true,
};

describe('recordTuningRun', () => {
  it('returns the existing run for the same request (another reason or caller changes nothing), 409 naming the fields for a different one', async () => {
    const store = new MapStore();
    const ctx = { now: () => new Date(), state: store.asStore() } as unknown as ControlPlaneContext;
    const first = await recordTuningRun(ctx, request);
    expect(first.state).toBe('QUEUED');
    expect(await recordTuningRun(ctx, { ...request, reason: 'again', requestedBy: 'x@example.com' })).toEqual(first);

    const conflict = async (changed: Partial<TuningRequest>) => {
      const error = await recordTuningRun(ctx, { ...request, ...changed }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ControlPlaneError);
      expect(RPC_STATUS[(error as ControlPlaneError).status]).toBe(409);
      expect((error as ControlPlaneError).status).toBe('ALREADY_EXISTS');
      return (error as Error).message;
    };
    expect(await conflict({ study: { ...request.study, maxTrialCount: 7 } })).toMatch(/requestId tune-1 .* different study:/);
    expect(await conflict({ sourceParameters: { since: '2026-02-01T00:00:00Z' } })).toMatch(/different sourceParameters:/);
    expect(await conflict({ sourceParameters: undefined })).toMatch(/different sourceParameters:/);
    expect(await conflict({ train: false })).toMatch(/different train:/);
    expect(await conflict({ train: false, study: { ...request.study, modelTypes: ['ridge'] } })).toMatch(/different study, train:/);
    // Nothing was overwritten.
    expect(await recordTuningRun(ctx, request)).toEqual(first);
  });

  it('no sourceParameters and empty ones are the same request', async () => {
    const ctx = { now: () => new Date(), state: new MapStore().asStore() } as unknown as ControlPlaneContext;
    const first = await recordTuningRun(ctx, { ...request, sourceParameters: undefined });
    expect(await recordTuningRun(ctx, { ...request, sourceParameters: {} })).toEqual(first);
  });
});
