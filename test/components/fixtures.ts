// Small, seeded, flights-like datasets with a learnable target, written as CSV for the components.
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';

function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

export const AIRPORTS = ['ATL', 'JFK', 'LAX', 'ORD', 'SFO'] as const;
const ORIGIN_EFFECT: Record<(typeof AIRPORTS)[number], number> = { ATL: 5, JFK: 10, LAX: 0, ORD: 15, SFO: -5 };

export interface Flight {
  readonly date: string;
  readonly delay: number;
  readonly distance: number;
  readonly origin: string;
  readonly destination: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * delay = 5 + 0.02·distance + 15 if departing from 17:00 + an origin effect + N(0, 4):
 * distance, the derived hour feature and the origin category all carry signal.
 */
export function flights(rows: number, seed = 7): Flight[] {
  const next = mulberry32(seed);
  const start = Date.UTC(2024, 0, 1);
  const out: Flight[] = [];
  for (let i = 0; i < rows; i += 1) {
    const when = new Date(start + Math.floor(next() * 90 * 24 * 60) * 60_000);
    const distance = 100 + Math.floor(next() * 2900);
    const origin = AIRPORTS[Math.floor(next() * AIRPORTS.length)] ?? 'ATL';
    const others = AIRPORTS.filter((a) => a !== origin);
    const destination = others[Math.floor(next() * others.length)] ?? 'LAX';
    const delay = 5 + 0.02 * distance + (when.getUTCHours() >= 17 ? 15 : 0) + ORIGIN_EFFECT[origin] + 4 * gaussian(next);
    const date = `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())} ${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())}`;
    out.push({ date, delay: Math.round(delay * 10) / 10, distance, origin, destination });
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Regression: target `delay`. */
export function writeRegressionCsv(path: string, rows: readonly Flight[]): void {
  const lines = ['date,delay,distance,origin,destination', ...rows.map((r) => `${r.date},${r.delay},${r.distance},${r.origin},${r.destination}`)];
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Classification: target `status`, "late" above the median delay, else "on_time" (balanced classes). */
export function writeClassificationCsv(path: string, rows: readonly Flight[]): void {
  const threshold = median(rows.map((r) => r.delay));
  const lines = ['date,distance,origin,destination,status',
    ...rows.map((r) => `${r.date},${r.distance},${r.origin},${r.destination},${r.delay > threshold ? 'late' : 'on_time'}`)];
  writeFileSync(path, `${lines.join('\n')}\n`);
}
