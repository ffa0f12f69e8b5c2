// A rollout aborted (or degraded) and retried within one outbox flush: the record only shows the new
// attempt, yet the earlier attempt's execution is closed from its own decisions (their ids carry
// the attempt), not left RUNNING.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { rolloutExecutionId } from '../../../control-plane/tracking/conventions.js';
import { decisionAttempt, recordRollout } from '../../../control-plane/tracking/lineage.js';
import type { MetadataServiceClient } from '../../../google-clients/vertex.js';
import { metadataClient, plain } from '../../emulators/vertex/metadata-support.js';
import { LOCATION, PARENT, PROJECT, startTestVertex } from '../../emulators/vertex/support.js';
import type { TestVertex } from '../../emulators/vertex/support.js';

const STORE = `${PARENT}/metadataStores/default`;
let t: TestVertex;
let md: MetadataServiceClient;
let ctx: ControlPlaneContext;
beforeAll(async () => {
  t = await startTestVertex();
  md = metadataClient(t.emulator.port);
  ctx = { settings: { projectId: PROJECT, region: LOCATION }, clients: { metadata: () => Promise.resolve(md) } } as unknown as ControlPlaneContext;
}, 60_000);
afterAll(async () => {
  await md?.close();
  await t?.stop();
}, 60_000);

const ID = 'churn-v2';
function rollout(attempt: number, phase: RolloutRecord['phase']): RolloutRecord {
  return {
    id: ID,
    name: `rollouts/${ID}`,
    attempt,
    phase,
    canary: { version: `${PARENT}/models/churn@2` },
    stable: { version: `${PARENT}/models/churn@1` },
    endpoint: `${PARENT}/endpoints/churn`,
    policy: { steps: [{ setWeight: 10 }] },
    requestedBy: 'test',
  } as unknown as RolloutRecord;
}

async function execution(attempt: number) {
  const [e] = await md.getExecution({ name: `${STORE}/executions/${rolloutExecutionId(ID, attempt)}` });
  return { state: String(e.state), metadata: plain(e.metadata) ?? {} };
}

describe('rollout attempts in ML Metadata', () => {
  it('reads the attempt from a decision id', () => {
    expect(decisionAttempt(ID, `${ID}.3.17`)).toBe(3);
    expect(decisionAttempt(ID, `other.3.17`)).toBeUndefined();
  });

  it('closes the earlier attempt when its end and the retry leave the outbox together', async () => {
    await recordRollout(ctx, rollout(1, 'PROGRESSING'), [{ id: `${ID}.1.1`, kind: 'ROLLOUT_STARTED' }]);
    expect((await execution(1)).state).toBe('RUNNING');

    await recordRollout(ctx, rollout(2, 'PROGRESSING'), [
      { id: `${ID}.1.4`, kind: 'ABORTED', reason: 'error rate 30% over 1%' },
      { id: `${ID}.1.5`, kind: 'ROLLED_BACK', reason: 'stable at 100%' },
      { id: `${ID}.2.6`, kind: 'RETRIED', reason: 'attempt 2' },
    ]);
    const first = await execution(1);
    expect(first.state).toBe('FAILED');
    expect(first.metadata).toMatchObject({ attempt: 1, phase: 'ABORTED', outcome: 'rolled back', reason: 'error rate 30% over 1%' });
    expect((await execution(2)).state).toBe('RUNNING');

    // A degraded attempt, retried in the same flush, and never recorded before: created closed.
    await recordRollout(ctx, rollout(4, 'PROGRESSING'), [{ id: `${ID}.3.9`, kind: 'DEGRADED', reason: 'rollback failed' }, { id: `${ID}.4.10`, kind: 'RETRIED' }]);
    expect(await execution(3)).toMatchObject({ state: 'FAILED', metadata: { outcome: 'degraded', reason: 'rollback failed' } });
  });
});
