// decide(): the champion/challenger policy as a pure function, every outcome of both kinds of run.
import { describe, expect, it } from 'vitest';
import type { Comparison, DecisionInput } from '../../../control-plane/evaluation/decision.js';
import { decide, DecisionRecord, EVALUATION_OUTCOMES, OUTCOMES, TRAINING_OUTCOMES } from '../../../control-plane/evaluation/decision.js';

const approved = { approved: true, reason: 'approved: rmse 30.1 (<= 60)' };
const rejected = { approved: false, reason: 'rejected: r2: -0.2 is below the minimum -0.05' };

function comparison(verdict: Comparison['verdict'], extra: Partial<Comparison> = {}): Comparison {
  return {
    metric: 'rmse',
    direction: 'lower',
    challenger: 29.5,
    champion: 30.25,
    difference: -0.75,
    ci_low: -1.2,
    ci_high: -0.3,
    confidence: 0.95,
    n_rows: 300,
    bootstrap_samples: 1000,
    verdict,
    reason: '',
    ...extra,
  };
}

const succeeded = (extra: Partial<DecisionInput>): DecisionInput => ({ state: 'SUCCEEDED', gate: approved, championExists: true, ...extra });

describe('decide: training runs', () => {
  it('a failed pipeline is FAILED with the failing task and its message', () => {
    expect(decide({ state: 'FAILED', failure: { task: 'validate-data', message: 'too few rows' }, championExists: true })).toEqual({
      outcome: 'FAILED',
      reasons: ['task validate-data failed: too few rows'],
    });
  });

  it('a run that succeeded without a gate decision is FAILED too', () => {
    expect(decide({ state: 'SUCCEEDED', championExists: false })).toEqual({ outcome: 'FAILED', reasons: ['the pipeline ended SUCCEEDED without a gate decision'] });
    expect(decide({ state: 'CANCELLED', gate: approved, championExists: false }).outcome).toBe('FAILED');
  });

  it('a gate rejection is REJECT, whatever the comparison says', () => {
    expect(decide(succeeded({ gate: rejected, comparison: comparison('better') }))).toEqual({ outcome: 'REJECT', reasons: [`gate: ${rejected.reason}`] });
  });

  it('the first approved model becomes champion', () => {
    for (const input of [succeeded({ championExists: false }), succeeded({ comparison: comparison('no_champion') }), succeeded({})]) {
      expect(decide(input)).toEqual({
        outcome: 'REGISTER_AS_CHAMPION',
        reasons: [`gate: ${approved.reason}`, 'no champion yet: the first approved model becomes champion'],
      });
    }
  });

  it('a model that beats the champion is registered as challenger, with the interval in the reasons', () => {
    expect(decide(succeeded({ comparison: comparison('better') }))).toEqual({
      outcome: 'REGISTER_AS_CHALLENGER',
      reasons: [`gate: ${approved.reason}`, 'beats the champion: rmse difference -0.75 (challenger 29.5 vs champion 30.25), 95% CI [-1.2, -0.3] over 300 rows'],
    });
  });

  it('a champion that cannot score the data lets an approved model through as challenger, saying why', () => {
    const decision = decide(succeeded({ comparison: comparison('champion_unusable', { reason: 'it lacks the feature origin' }) }));
    expect(decision.outcome).toBe('REGISTER_AS_CHALLENGER');
    expect(decision.reasons[1]).toBe('not compared: the champion could not be evaluated (it lacks the feature origin)');
  });

  it('an automatic retrain that is not clearly worse is registered; clearly worse, or without the policy, it is REJECT', () => {
    // RMSE 30.25: 2% is 0.605. The interval's worse (high) end decides.
    const withinMargin = comparison('not_better', { difference: 0.2, ci_low: -0.3, ci_high: 0.6 });
    const beyondMargin = comparison('not_better', { difference: 0.3, ci_low: -0.2, ci_high: 0.61 });
    const accepted = decide(succeeded({ comparison: withinMargin, automaticRetrainMaxDegradation: 0.02 }));
    expect(accepted.outcome).toBe('REGISTER_AS_CHALLENGER');
    expect(accepted.reasons[1]).toMatch(/^an automatic retrain not clearly worse than the champion \(worse end within 2% of its rmse\): rmse difference 0.2/);
    expect(decide(succeeded({ comparison: beyondMargin, automaticRetrainMaxDegradation: 0.02 })).outcome).toBe('REJECT');
    expect(decide(succeeded({ comparison: withinMargin })).outcome).toBe('REJECT');
    // Higher-is-better metrics: the low end is the worse one.
    const r2 = (ci_low: number) => comparison('not_better', { metric: 'r2', direction: 'higher', champion: 0.5, difference: 0, ci_low, ci_high: 0.02 });
    expect(decide(succeeded({ comparison: r2(-0.009), automaticRetrainMaxDegradation: 0.02 })).outcome).toBe('REGISTER_AS_CHALLENGER');
    expect(decide(succeeded({ comparison: r2(-0.011), automaticRetrainMaxDegradation: 0.02 })).outcome).toBe('REJECT');
    // The gate still rules.
    expect(decide(succeeded({ gate: rejected, comparison: withinMargin, automaticRetrainMaxDegradation: 0.02 })).outcome).toBe('REJECT');
  });

  it('a model that does not beat the champion is REJECT, with the numbers and the comparison\'s reason', () => {
    const decision = decide(succeeded({ comparison: comparison('not_better', { ci_high: 0.1, reason: 'not better: the interval crosses 0' }) }));
    expect(decision).toEqual({
      outcome: 'REJECT',
      reasons: ['does not beat the champion: rmse difference -0.75 (challenger 29.5 vs champion 30.25), 95% CI [-1.2, 0.1] over 300 rows; not better: the interval crosses 0'],
    });
  });

  it('gives training runs only training outcomes', () => {
    const inputs = [
      succeeded({ gate: rejected }), succeeded({ championExists: false }), succeeded({ comparison: comparison('better') }),
      succeeded({ comparison: comparison('not_better') }), succeeded({ comparison: comparison('champion_unusable') }), { state: 'FAILED', championExists: true },
    ];
    expect(new Set(inputs.map((i) => decide({ ...i, kind: 'training' }).outcome))).toEqual(new Set(TRAINING_OUTCOMES));
    // No kind is a training run.
    expect(inputs.map((i) => decide(i).outcome)).toEqual(inputs.map((i) => decide({ ...i, kind: 'training' }).outcome));
  });
});

describe('decide: evaluation runs', () => {
  const evaluation = (extra: Partial<DecisionInput>) => succeeded({ kind: 'evaluation', ...extra });

  it('a failed pipeline is FAILED, as for training', () => {
    expect(decide({ kind: 'evaluation', state: 'FAILED', failure: { task: 'evaluate-model', message: 'no model.joblib' }, championExists: true })).toEqual({
      outcome: 'FAILED',
      reasons: ['task evaluate-model failed: no model.joblib'],
    });
  });

  it('a version that passes the gate and beats the champion is EVALUATED_BETTER (never REGISTER_AS_*)', () => {
    expect(decide(evaluation({ comparison: comparison('better') }))).toEqual({
      outcome: 'EVALUATED_BETTER',
      reasons: [`gate: ${approved.reason}`, 'beats the champion: rmse difference -0.75 (challenger 29.5 vs champion 30.25), 95% CI [-1.2, -0.3] over 300 rows'],
    });
  });

  it('a version that does not beat the champion is EVALUATED_NOT_BETTER, with the numbers', () => {
    expect(decide(evaluation({ comparison: comparison('not_better', { difference: 0, ci_low: -0.2, ci_high: 0.2, reason: 'not better: same model' }) }))).toEqual({
      outcome: 'EVALUATED_NOT_BETTER',
      reasons: [`gate: ${approved.reason}`, 'does not beat the champion: rmse difference 0 (challenger 29.5 vs champion 30.25), 95% CI [-0.2, 0.2] over 300 rows; not better: same model'],
    });
  });

  it('a version the gate would reject is EVALUATED_NOT_BETTER, the gate first, the comparison still reported', () => {
    expect(decide(evaluation({ gate: rejected, comparison: comparison('better') }))).toEqual({
      outcome: 'EVALUATED_NOT_BETTER',
      reasons: [`would be rejected by the gate: ${rejected.reason}`, 'beats the champion: rmse difference -0.75 (challenger 29.5 vs champion 30.25), 95% CI [-1.2, -0.3] over 300 rows'],
    });
    expect(decide(evaluation({ gate: rejected, championExists: false, comparison: comparison('no_champion') }))).toEqual({
      outcome: 'EVALUATED_NOT_BETTER',
      reasons: [`would be rejected by the gate: ${rejected.reason}`],
    });
  });

  it('an approved version with nothing to compare with is EVALUATED_NOT_COMPARED, saying why', () => {
    expect(decide(evaluation({ championExists: false, comparison: comparison('no_champion') }))).toEqual({
      outcome: 'EVALUATED_NOT_COMPARED',
      reasons: [`gate: ${approved.reason}`, 'not compared: there is no champion to compare with'],
    });
    // A comparison without a champion at submission (it cannot happen, but is not trusted) compares nothing.
    expect(decide(evaluation({ championExists: false, comparison: comparison('better') })).outcome).toBe('EVALUATED_NOT_COMPARED');
    expect(decide(evaluation({ comparison: comparison('champion_unusable', { reason: 'it is a classification model' }) }))).toEqual({
      outcome: 'EVALUATED_NOT_COMPARED',
      reasons: [`gate: ${approved.reason}`, 'not compared: the champion could not be evaluated (it is a classification model)'],
    });
  });

  it('gives evaluation runs only evaluation outcomes, and every one of them', () => {
    const inputs: DecisionInput[] = [
      evaluation({ comparison: comparison('better') }), evaluation({ comparison: comparison('not_better') }), evaluation({ gate: rejected }),
      evaluation({ championExists: false }), evaluation({ comparison: comparison('champion_unusable') }), { kind: 'evaluation', state: 'FAILED', championExists: false },
    ];
    expect(new Set(inputs.map((i) => decide(i).outcome))).toEqual(new Set(EVALUATION_OUTCOMES));
  });
});

describe('DecisionRecord', () => {
  it('every outcome belongs to one kind of run or is FAILED, and records of each parse', () => {
    expect([...new Set([...TRAINING_OUTCOMES, ...EVALUATION_OUTCOMES])].sort()).toEqual([...OUTCOMES].sort());
    const record = {
      name: 'decisions/flight-delay-e1', id: 'flight-delay-e1', model: 'flight-delay', trainingRun: 'trainingRuns/flight-delay-e1',
      pipelineJob: 'projects/p/locations/us-central1/pipelineJobs/j', kind: 'evaluation', outcome: 'EVALUATED_BETTER', reasons: [],
      evaluatedVersion: 'projects/p/locations/us-central1/models/flight-delay@2', createTime: '2026-01-01T00:00:00Z',
    };
    expect(DecisionRecord.parse(record)).toMatchObject({ outcome: 'EVALUATED_BETTER', evaluatedVersion: record.evaluatedVersion, metrics: {} });
    expect(DecisionRecord.safeParse({ ...record, outcome: 'EVALUATED' }).success).toBe(false);
    expect(DecisionRecord.safeParse({ ...record, kind: 'tuning' }).success).toBe(false);
  });
});
