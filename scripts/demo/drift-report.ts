// The demo's drift table: one line per watched feature of a version, from the latest check
// (GET /v1/models/{model}/drift): its distance against its threshold, PSI and its tier, KS.
import type { ModelCheckRecord } from '../../control-plane/drift/drift-check-record.js';

const num = (n: number | undefined, digits = 3) => (n === undefined ? '—' : n.toFixed(digits));

export function driftTable(check: ModelCheckRecord): string[] {
  const lines: string[] = [];
  for (const v of check.versions) {
    const head = `  version ${v.versionId} (deployed model ${v.deployedModelId}, ${v.trafficPercent}% of traffic): ${v.servedInstances} instances in ${check.window.start.slice(11, 19)}–${check.window.end.slice(11, 19)}`;
    lines.push(head);
    if (v.insufficient) {
      lines.push(`    not scored: ${v.insufficient}`);
      continue;
    }
    if (v.error) {
      lines.push(`    not scored: ${v.error}`);
      continue;
    }
    lines.push(`    ${'feature'.padEnd(16)} ${'distance'.padEnd(22)} ${'threshold'.padEnd(9)} ${'PSI'.padEnd(7)} ${'tier'.padEnd(12)} ${'KS'.padEnd(6)} drifted`);
    for (const f of v.features) {
      const distance = `${f.distance.metric === 'jensen_shannon' ? 'JS' : 'L-inf'} ${num(f.distance.value)}`;
      lines.push(`    ${f.feature.padEnd(16)} ${distance.padEnd(22)} ${String(f.threshold).padEnd(9)} ${num(f.psi, 2).padEnd(7)} ${(f.psiTier ?? '—').padEnd(12)} ${num(f.ks, 2).padEnd(6)} ${f.drifted ? 'YES' : ''}`);
    }
  }
  if (check.performance) {
    const p = check.performance;
    lines.push(`  performance of the champion: ${p.metric} ${num(p.value)} over ${p.n} predictions with actuals${p.insufficient ? ` (${p.insufficient})` : ''}; bound ${JSON.stringify(p.bound)}${p.breached ? ' BREACHED' : ''}`);
  }
  if (check.age) lines.push(`  age of the champion: ${(check.age.ageSeconds / 60).toFixed(1)} minutes (maximum ${(check.age.maxAgeSeconds / 86_400).toFixed(1)} days)`);
  return lines;
}
