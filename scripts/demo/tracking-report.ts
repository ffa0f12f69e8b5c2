// The demo's last section: what part 5 recorded, read back through the HTTP API as a reviewer would
// — the model's experiment runs side by side, the champion's lineage and model card, its training
// run's cost estimate, and the audit trail by kind.
import type { ExperimentRunView, LineageView } from '../../control-plane/api/tracking-views.js';
import type { DecisionView } from '../../control-plane/api/decisions.js';
import type { CostEstimate } from '../../control-plane/governance/cost-estimate.js';

export interface TrackingFacts {
  readonly experiment: string;
  readonly runs: readonly ExperimentRunView[];
  readonly champion?: { readonly version: string; readonly lineage?: LineageView; readonly modelCard?: { readonly htmlUri: string }; readonly cost?: CostEstimate; readonly trainingRun?: string };
  readonly decisions: readonly DecisionView[];
}

const cell = (v: number | string | undefined, width: number) => (v === undefined ? '' : typeof v === 'number' ? Number(v.toPrecision(4)).toString() : v).slice(0, width).padEnd(width);

/** A name that tells runs apart in 34 characters: the trial number, or the trigger and the id's end. */
function runLabel(r: ExperimentRunView): string {
  const trial = /-trial-(\d+)$/.exec(r.runId);
  if (trial) return `trial ${trial[1]}`;
  const trigger = typeof r.params.trigger === 'string' ? `${r.params.trigger} ` : '';
  return `${trigger}…${r.runId.slice(-(33 - trigger.length))}`;
}

/** The runs as a table: the parameters and metrics most runs share, training runs first. */
export function experimentRunsTable(runs: readonly ExperimentRunView[], maxRows = 8): string[] {
  const training = runs.filter((r) => r.kind === 'training');
  const trials = runs.filter((r) => r.kind === 'tuning-trial');
  const shown = [...training, ...trials].slice(0, maxRows);
  const common = (pick: (r: ExperimentRunView) => Record<string, number | string>) => {
    const counts = new Map<string, number>();
    for (const r of shown) for (const k of Object.keys(pick(r))) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([k]) => k);
  };
  const params = common((r) => r.params);
  const metrics = common((r) => r.metrics);
  const lines = [`  ${'run'.padEnd(34)} ${'kind'.padEnd(12)} ${'state'.padEnd(9)} ${[...params, ...metrics].map((k) => cell(k, 14)).join(' ')}`];
  for (const r of shown) lines.push(`  ${cell(runLabel(r), 34)} ${cell(r.kind, 12)} ${cell(r.state, 9)} ${[...params.map((k) => cell(r.params[k], 14)), ...metrics.map((k) => cell(r.metrics[k], 14))].join(' ')}`);
  if (runs.length > shown.length) lines.push(`  … and ${runs.length - shown.length} more`);
  return lines;
}

export function trackingReport(facts: TrackingFacts): string[] {
  const training = facts.runs.filter((r) => r.kind === 'training').length;
  const lines = [`\nexperiment ${facts.experiment.split('/').pop()}: ${facts.runs.length} experiment runs (${training} training runs, ${facts.runs.length - training} tuning trials)`];
  lines.push(...experimentRunsTable(facts.runs));
  const champion = facts.champion;
  if (champion) {
    lines.push(`lineage of the champion ${champion.version}:`);
    for (const step of champion.lineage?.chain ?? []) lines.push(`  ${step.stage.padEnd(13)} ${step.name}${step.outcome ? `  (${step.outcome})` : step.state ? `  (${step.state})` : ''}`);
    if (champion.modelCard) lines.push(`model card: ${champion.modelCard.htmlUri}`);
    if (champion.cost) {
      const c = champion.cost;
      const hours = c.items.reduce((s, i) => s + i.hours, 0);
      lines.push(`estimated cost of its training run ${champion.trainingRun ?? ''}: $${c.total.toFixed(2)} for ${(hours * 60).toFixed(1)} machine-minutes at ${c.region} list prices of ${c.pricesAsOf}${c.unpriced.length ? ` (${c.unpriced.length} tasks not priced)` : ''}`);
    }
  }
  const byKind = new Map<string, number>();
  for (const d of facts.decisions) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  lines.push(`audit trail: ${facts.decisions.length} decisions — ${[...byKind.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return lines;
}
