// Metrics a trial reports with the hypertune convention: JSON lines in CLOUD_ML_HP_METRIC_FILE,
// `{"global_step": "100", "<metric>": "0.93", "timestamp": ..., "trial": "1"}`, values as strings,
// the whole file rewritten on each report. Every line is a measurement; the last one is the latest.
import { readFile } from 'node:fs/promises';

export interface Measurement {
  /** int64 as a decimal string. */
  stepCount: string;
  metrics: { metricId: string; value: number }[];
  /** `"12.5s"` since the trial started, when the line has a timestamp. */
  elapsedDuration?: string;
}

export async function readMeasurements(file: string, metricId: string, trialStartMs: number): Promise<Measurement[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: Measurement[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // a line being rewritten right now
    }
    if (typeof parsed !== 'object' || parsed === null) continue;
    const record = parsed as Record<string, unknown>;
    const value = Number(record[metricId]);
    if (record[metricId] === undefined || !Number.isFinite(value)) continue;
    const step = Number(record.global_step);
    const timestamp = Number(record.timestamp);
    const elapsed = Number.isFinite(timestamp) && timestamp > 0 ? Math.max(0, timestamp - trialStartMs / 1000) : undefined;
    out.push({
      stepCount: String(Number.isInteger(step) ? step : i + 1),
      metrics: [{ metricId, value }],
      ...(elapsed !== undefined ? { elapsedDuration: `${elapsed.toFixed(3)}s` } : {}),
    });
  }
  return out;
}

export function metricValue(m: Measurement): number {
  return m.metrics[0]?.value ?? Number.NaN;
}

export function isBetter(a: number, b: number, goal: 'MAXIMIZE' | 'MINIMIZE'): boolean {
  return goal === 'MAXIMIZE' ? a > b : a < b;
}

export function bestOf(measurements: readonly Measurement[], goal: 'MAXIMIZE' | 'MINIMIZE'): Measurement | undefined {
  let best: Measurement | undefined;
  for (const m of measurements) if (best === undefined || isBetter(metricValue(m), metricValue(best), goal)) best = m;
  return best;
}
