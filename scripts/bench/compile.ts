// `npm run bench`: compile time of the training pipeline and of every golden re-creation.
// Reports median and p95 over repeated runs after a warm-up, as structured log lines.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { projectPipelines } from '../../pipelines/definitions/index.js';
import { log } from '../log.js';
import { timeRuns } from './stats.js';

const RUNS = 200;
for (const def of projectPipelines()) {
  log('INFO', 'bench: compile project pipeline', { pipeline: def.name, runs: RUNS, ...(await timeRuns(() => compilePipeline(def), RUNS, 20)) });
}

const goldenDir = fileURLToPath(new URL('../../test/pipelines/goldens/', import.meta.url));
const goldens: PipelineDefinition[] = [];
for (const file of readdirSync(goldenDir).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(new URL(file, `file://${goldenDir}`).href)) as { default: PipelineDefinition };
  goldens.push(mod.default);
}
const all = await timeRuns(() => goldens.forEach((g) => compilePipeline(g)), 50, 20);
log('INFO', 'bench: compile all golden re-creations', { pipelines: goldens.length, runs: 50, ...all });
