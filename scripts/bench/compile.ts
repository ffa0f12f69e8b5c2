// `npm run bench`: compile time of the training pipeline and of every golden re-creation.
// Reports median and p95 over repeated runs after a warm-up, as structured log lines.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { projectPipelines } from '../../pipelines/definitions/index.js';
import { log } from '../log.js';

function time(fn: () => void, runs: number): { medianMs: number; p95Ms: number } {
  for (let i = 0; i < Math.min(20, runs); i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { medianMs: Number(at(0.5).toFixed(3)), p95Ms: Number(at(0.95).toFixed(3)) };
}

const RUNS = 200;
for (const def of projectPipelines()) {
  log('INFO', 'bench: compile project pipeline', { pipeline: def.name, runs: RUNS, ...time(() => compilePipeline(def), RUNS) });
}

const goldenDir = fileURLToPath(new URL('../../test/pipelines/goldens/', import.meta.url));
const goldens: PipelineDefinition[] = [];
for (const file of readdirSync(goldenDir).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(new URL(file, `file://${goldenDir}`).href)) as { default: PipelineDefinition };
  goldens.push(mod.default);
}
const all = time(() => goldens.forEach((g) => compilePipeline(g)), 50);
log('INFO', 'bench: compile all golden re-creations', { pipelines: goldens.length, runs: 50, ...all });
