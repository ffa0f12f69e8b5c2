// Median automated stopping: a running trial whose best value up to its latest step s is worse
// than the median of the completed trials' best values up to s is stopped early.
import type { Measurement } from './hypertune-file.js';
import { bestOf, isBetter, metricValue } from './hypertune-file.js';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function shouldStopEarly(
  running: readonly Measurement[],
  completed: readonly (readonly Measurement[])[],
  goal: 'MAXIMIZE' | 'MINIMIZE',
): { stop: boolean; step?: number; value?: number; median?: number } {
  const latest = running[running.length - 1];
  if (latest === undefined) return { stop: false };
  const step = Number(latest.stepCount);
  const upTo = (ms: readonly Measurement[]) => ms.filter((m) => Number(m.stepCount) <= step);
  const peers = completed.map((ms) => bestOf(upTo(ms), goal)).filter((m): m is Measurement => m !== undefined).map(metricValue);
  if (peers.length === 0) return { stop: false };
  const mine = metricValue(bestOf(upTo(running), goal)!);
  const middle = median(peers);
  return { stop: isBetter(middle, mine, goal), step, value: mine, median: middle };
}
