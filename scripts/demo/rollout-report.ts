// A rollout's timeline as the demo prints it: each step with its verdict and the analysis numbers
// behind it (the last measurement of the step), then the decisions in order.
import type { RolloutView } from './api-watcher.js';

function stepLabel(step: Record<string, unknown>): string {
  if ('setWeight' in step) return `setWeight ${String(step.setWeight)}%`;
  if ('pause' in step) return 'pause';
  return 'analysis';
}

export function rolloutTimeline(r: RolloutView): string[] {
  const t0 = Date.parse(r.createTime);
  const at = (iso: string | undefined) => (iso ? `+${((Date.parse(iso) - t0) / 1000).toFixed(1).padStart(5)}s` : '      ');
  const lines = [`rollout ${r.id}: ${r.stable.version.split('/').pop()} (stable) → ${r.canary.version.split('/').pop()} (canary): ${r.phase}${r.abortReason ? ` (${r.abortReason})` : ''}`];
  for (const step of r.steps) {
    const declared = r.policy.steps[step.index];
    if (!declared) continue;
    lines.push(`  step ${step.index + 1} ${stepLabel(declared).padEnd(14)} ${at(step.startedAt)} → ${at(step.finishedAt)}  ${step.verdict ?? '(running)'}`);
    const last = step.measurements.at(-1);
    if (last) {
      lines.push(`      ${step.measurements.length} measurement(s); the last over ${((Date.parse(last.windowEnd) - Date.parse(last.windowStart)) / 1000).toFixed(0)} s: ${last.result}`);
      for (const check of last.checks) lines.push(`        ${check.outcome.padEnd(12)} ${check.name.padEnd(16)} ${check.detail}`);
    }
  }
  lines.push('  decisions:');
  for (const d of r.history) lines.push(`    ${at(d.at)}  ${d.kind.padEnd(22)} ${d.actor.padEnd(20)} ${d.reason.slice(0, 160)}`);
  return lines;
}
