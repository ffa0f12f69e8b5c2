// comparePredictions: a two-sample Kolmogorov–Smirnov test of the canary's numeric predictions
// against the stable model's over a window of the endpoint's request-response log, computed from
// aggregates only.
//
// How. One query: the pooled predictions' APPROX_QUANTILES give shared bucket edges e_1..e_B+1;
// RANGE_BUCKET counts each version's predictions per bucket [e_i, e_i+1). Only those counts
// (at most 2·(B+2) rows) leave BigQuery. With C(i) a version's share in buckets ≤ i:
// - C(i) = F(e_i+1−), an ECDF's value just below an edge, so max_i |C_s(i) − C_c(i)| is a
//   difference the ECDFs really take: a lower bound of the exact statistic D (`ksStatistic`);
// - inside bucket i each ECDF stays within [C(i−1), C(i)], so
//   D ≤ max_i max(C_c(i) − C_s(i−1), C_s(i) − C_c(i−1)) (`ksUpperBound`).
// The gap is at most the largest share of either version in one bucket, about 1/B when both
// distributions look alike (pooled quantiles put ~1/B of the pool in each bucket); the edges
// being approximate quantiles only makes buckets less even, never the bounds wrong. Ties are
// handled: a point mass sits at a bucket's left edge, so D at that point is one of the bounds.
//
// p-value. The asymptotic two-sample distribution: P(D > d) ≈ Q_KS(λ), λ = (√nₑ + 0.12 +
// 0.11/√nₑ)·d, nₑ = n_s·n_c/(n_s + n_c) (Stephens' small-sample correction), Q_KS the Kolmogorov
// distribution's survival function. No maintained npm package exposes it: jstat and
// simple-statistics have no KS distribution, and @stdlib/stats-kstest is one-sample only with its
// distribution functions internal (its exact Marsaglia–Tsang–Wang method needs a matrix of order
// 2·n·d, far out of reach at nₑ in the hundred-thousands). So Q_KS is the textbook series below,
// checked in the tests against scipy.special.kolmogorov. For small samples the asymptotic p-value is
// rough; the caller sees n and decides (Inconclusive) before trusting it.
//
// Predictions: the prebuilt and custom servers answer a regression with a JSON number per instance
// (pipelines/components/python/serving/predictors.py), so each logged prediction is read as
// SAFE_CAST(JSON_VALUE(prediction) AS FLOAT64); anything else (objects, text, NaN, ±Inf, rawPredict
// bodies) is skipped.
import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';
import type { LogWindow } from './request-log-query.js';
import { aggregateRows, logWindowSchema, tableSql, versionOf, windowFilter } from './request-log-query.js';

export interface ComparePredictionsRequest extends LogWindow {
  /** Shared buckets (APPROX_QUANTILES count); default 200. The bounds' gap is about 1/buckets. */
  readonly buckets?: number;
}

export interface PredictionComparison {
  readonly stable: { readonly n: number };
  readonly canary: { readonly n: number };
  /** The KS statistic at the shared edges (≤ the exact D); undefined when a version has no prediction. */
  readonly ksStatistic: number | undefined;
  /** An upper bound of the exact D from the same counts. */
  readonly ksUpperBound: number | undefined;
  /** Asymptotic p-value of `ksStatistic`. */
  readonly pValue: number | undefined;
}

export const DEFAULT_KS_BUCKETS = 200;

const requestSchema = logWindowSchema.and(z.object({ buckets: z.number().int().min(2).max(10_000).optional() }));

const bucketRow = z.object({ deployed_model_id: z.string(), bucket: z.coerce.number().int().nullable(), n: z.coerce.number().int() });

/** The SQL and parameters of the per-bucket counts (exported for the benchmark and tests). */
export function predictionBucketsQuery(request: ComparePredictionsRequest): { sql: string; params: Record<string, unknown>; types: Record<string, string> } {
  const buckets = request.buckets ?? DEFAULT_KS_BUCKETS;
  const filter = windowFilter(request);
  // APPROX_QUANTILES takes its count as a literal: an integer checked above.
  const sql = `WITH predictions AS (
  SELECT log.deployed_model_id AS deployed_model_id, SAFE_CAST(JSON_VALUE(prediction) AS FLOAT64) AS value
  FROM ${tableSql(request.logTable)} AS log, UNNEST(log.response_payload) AS prediction
  WHERE ${filter.sql}
),
valid AS (
  SELECT deployed_model_id, value FROM predictions
  WHERE value IS NOT NULL AND NOT IS_NAN(value) AND NOT IS_INF(value)
),
edges AS (
  SELECT APPROX_QUANTILES(value, ${buckets}) AS boundaries FROM valid
)
SELECT valid.deployed_model_id AS deployed_model_id, RANGE_BUCKET(valid.value, edges.boundaries) AS bucket, COUNT(*) AS n
FROM valid CROSS JOIN edges
GROUP BY deployed_model_id, bucket`;
  return { sql, params: filter.params, types: filter.types };
}

export async function comparePredictions(bigquery: BigQuery, request: ComparePredictionsRequest): Promise<PredictionComparison> {
  const checked = requestSchema.parse(request);
  const rows = await aggregateRows(bigquery, predictionBucketsQuery(checked), bucketRow);
  const counts = { stable: new Map<number, number>(), canary: new Map<number, number>() };
  for (const row of rows) {
    const version = versionOf(checked, row.deployed_model_id);
    if (version === undefined || row.bucket === null) continue;
    counts[version].set(row.bucket, (counts[version].get(row.bucket) ?? 0) + row.n);
  }
  return ksFromBuckets(counts.stable, counts.canary);
}

/** The KS bounds and p-value from two versions' counts per shared bucket index. */
export function ksFromBuckets(stable: ReadonlyMap<number, number>, canary: ReadonlyMap<number, number>): PredictionComparison {
  const total = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const nS = total(stable);
  const nC = total(canary);
  if (nS === 0 || nC === 0) return { stable: { n: nS }, canary: { n: nC }, ksStatistic: undefined, ksUpperBound: undefined, pValue: undefined };
  const indices = [...new Set([...stable.keys(), ...canary.keys()])].sort((a, b) => a - b);
  let cumS = 0;
  let cumC = 0;
  let lower = 0;
  let upper = 0;
  for (const i of indices) {
    const prevS = cumS / nS;
    const prevC = cumC / nC;
    cumS += stable.get(i) ?? 0;
    cumC += canary.get(i) ?? 0;
    const s = cumS / nS;
    const c = cumC / nC;
    lower = Math.max(lower, Math.abs(s - c));
    upper = Math.max(upper, c - prevS, s - prevC);
  }
  return { stable: { n: nS }, canary: { n: nC }, ksStatistic: lower, ksUpperBound: upper, pValue: ksTwoSamplePValue(lower, nS, nC) };
}

/** Asymptotic P(D ≥ d) for two samples of sizes n1 and n2 (Stephens' correction). */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): number {
  const ne = (n1 * n2) / (n1 + n2);
  const sqrtNe = Math.sqrt(ne);
  return kolmogorovSurvival((sqrtNe + 0.12 + 0.11 / sqrtNe) * d);
}

/**
 * Q_KS(λ) = P(K > λ) of the Kolmogorov distribution: 2·Σ(−1)^(k−1)·exp(−2k²λ²) for λ ≥ 1.18, and
 * 1 − (√(2π)/λ)·Σ exp(−(2k−1)²π²/(8λ²)) below it (the series that converges fast there).
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const y = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let k = 1; k <= 20; k++) sum += Math.exp((2 * k - 1) ** 2 * y);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-300) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
