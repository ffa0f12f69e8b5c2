// The reconciler flushes decisions on every step; only a few (started, retried, ended) change the
// rollout's execution. Those others must not load the lineage module at all.
import { describe, expect, it, vi } from 'vitest';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';

describe('trackRolloutDecisions', () => {
  it('loads lineage.js only for a decision that changes the execution', async () => {
    let loaded = 0;
    vi.doMock('../../../control-plane/tracking/lineage.js', () => {
      loaded += 1;
      return { recordRollout: () => Promise.resolve(undefined) };
    });
    const { trackRolloutDecisions } = await import('../../../control-plane/tracking/record.js');
    const ctx = {} as ControlPlaneContext;
    const r = { id: 'churn-v2' } as RolloutRecord;
    await trackRolloutDecisions(ctx, r, [{ id: 'churn-v2.1.2', kind: 'STEP_SET_WEIGHT' }, { id: 'churn-v2.1.3', kind: 'ANALYSIS_SUCCESSFUL' }]);
    expect(loaded).toBe(0);
    await trackRolloutDecisions(ctx, r, [{ id: 'churn-v2.1.4', kind: 'PROMOTED' }]);
    expect(loaded).toBe(1);
    vi.doUnmock('../../../control-plane/tracking/lineage.js');
  });
});
