// One measurement's verdict: the numbers of the canary against the stable version's, held to the
// step's criteria. Pure. Argo's semantics: a check that fails is a failed measurement; too little
// evidence is no verdict while the window is open and Inconclusive once it has closed.
import type { Check, Criteria, Measurement } from './rollout-record.js';

export interface Evidence {
  readonly stable?: NonNullable<Measurement['stable']>;
  readonly canary?: NonNullable<Measurement['canary']>;
  readonly predictions?: NonNullable<Measurement['predictions']>;
  readonly quality?: NonNullable<Measurement['quality']>;
  /** Whether ground truth is configured (then too few joined actuals is insufficient evidence). */
  readonly qualityExpected: boolean;
}

/** The limit for the canary: max(ratio × stable, stable + slack). */
function limitFor(stable: number, ratio: number, slack: number): number {
  return Math.max(stable * ratio, stable + slack);
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export function judge(evidence: Evidence, criteria: Criteria, windowClosed: boolean): Pick<Measurement, 'checks' | 'result'> {
  const checks: Check[] = [];
  const canaryRequests = evidence.canary?.requestCount ?? 0;
  const enough = canaryRequests >= criteria.minRequests;
  checks.push({
    name: 'requests',
    value: canaryRequests,
    limit: criteria.minRequests,
    outcome: enough ? 'pass' : 'insufficient',
    detail: `${canaryRequests} canary requests (need ${criteria.minRequests})`,
  });

  if (enough && evidence.stable && evidence.canary) {
    const stableRate = evidence.stable.errorRate ?? 0;
    const canaryRate = evidence.canary.errorRate ?? 0;
    const limit = limitFor(stableRate, criteria.maxErrorRateRatio, criteria.errorRateSlack);
    checks.push({
      name: 'error_rate',
      value: round(canaryRate),
      limit: round(limit),
      outcome: canaryRate <= limit ? 'pass' : 'fail',
      detail: `canary ${(canaryRate * 100).toFixed(2)}% vs stable ${(stableRate * 100).toFixed(2)}% (limit ${(limit * 100).toFixed(2)}%)`,
    });
    const stableP95 = evidence.stable.latencyP95Ms;
    const canaryP95 = evidence.canary.latencyP95Ms;
    if (stableP95 === undefined || canaryP95 === undefined) {
      checks.push({ name: 'latency_p95', outcome: 'insufficient', detail: 'no latency distribution for both versions yet' });
    } else {
      const latencyLimit = limitFor(stableP95, criteria.maxLatencyP95Ratio, criteria.latencyP95SlackMs);
      checks.push({
        name: 'latency_p95',
        value: round(canaryP95, 2),
        limit: round(latencyLimit, 2),
        outcome: canaryP95 <= latencyLimit ? 'pass' : 'fail',
        detail: `canary p95 ${canaryP95.toFixed(1)} ms vs stable ${stableP95.toFixed(1)} ms (limit ${latencyLimit.toFixed(1)} ms)`,
      });
    }
  }

  if (evidence.predictions) {
    const { ksStatistic, pValue, stableCount, canaryCount } = evidence.predictions;
    const limit = criteria.maxPredictionShift;
    const described = ksStatistic === undefined ? `too few predictions (${canaryCount} canary, ${stableCount} stable)` : `KS ${ksStatistic.toFixed(3)}${pValue === undefined ? '' : ` (p = ${pValue.toPrecision(2)})`} over ${canaryCount} canary and ${stableCount} stable predictions`;
    if (limit === undefined || ksStatistic === undefined) {
      checks.push({ name: 'prediction_shift', ...(ksStatistic === undefined ? {} : { value: round(ksStatistic) }), outcome: 'skipped', detail: `${described}; reported only` });
    } else {
      checks.push({ name: 'prediction_shift', value: round(ksStatistic), limit, outcome: ksStatistic <= limit ? 'pass' : 'fail', detail: described });
    }
  }

  if (evidence.qualityExpected) {
    const quality = evidence.quality;
    const n = Math.min(quality?.canary.n ?? 0, quality?.stable.n ?? 0);
    const change = quality?.relativeChange;
    if (!quality || !change || n < criteria.minQualitySamples) {
      checks.push({ name: 'quality', outcome: 'insufficient', detail: `${n} predictions joined with actuals per version (need ${criteria.minQualitySamples})` });
    } else {
      // Failed only when the whole interval lies beyond the limit: evidence of a worse model, not noise.
      const worse = change.ci[0] > criteria.maxQualityDegradation;
      checks.push({
        name: 'quality',
        value: round(change.estimate),
        limit: criteria.maxQualityDegradation,
        outcome: worse ? 'fail' : 'pass',
        detail: `${quality.metric} canary ${quality.canary.value?.toFixed(3)} vs stable ${quality.stable.value?.toFixed(3)} on ${n}+ joined actuals: ${Math.abs(change.estimate * 100).toFixed(1)}% ${change.estimate > 0 ? 'worse' : 'better'} (relative change CI [${(change.ci[0] * 100).toFixed(1)}%, ${(change.ci[1] * 100).toFixed(1)}%], fails above +${(criteria.maxQualityDegradation * 100).toFixed(1)}%)`,
      });
    }
  }

  if (checks.some((c) => c.outcome === 'fail')) return { checks, result: 'Failed' };
  if (checks.some((c) => c.outcome === 'insufficient')) return { checks, result: windowClosed ? 'Inconclusive' : 'Pending' };
  return { checks, result: windowClosed ? 'Successful' : 'Pending' };
}
