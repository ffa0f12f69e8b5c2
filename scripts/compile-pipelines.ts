// `npm run compile`: compile every project pipeline to dist/pipelines/<name>.json and .yaml, and
// refresh the closed sets the Python components read.
// With --summary, also print what each pipeline contains (README's main command until the local cloud exists).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePipeline } from '../pipelines/compiler/index.js';
import type { PipelineSpec } from '../pipelines/compiler/index.js';
import { specToJson, specToYaml } from '../pipelines/compiler/yaml.js';
import { projectPipelines } from '../pipelines/definitions/index.js';
import { CLOSED_SETS_FILE, closedSetsJson } from '../pipelines/components/closed-sets.js';
import { parseCommandLineOrExit } from './cli.js';
import { log } from './log.js';

const values = parseCommandLineOrExit({
  command: 'npm run compile --',
  summary: 'Compile every project pipeline to <out>/<name>.json and .yaml (PipelineSpec, as KFP writes it).',
  options: {
    out: { type: 'string', default: 'dist/pipelines', valueName: 'dir', description: 'output directory' },
    summary: { type: 'boolean', default: false, description: 'also print what each pipeline contains (on stdout)' },
    'component-image': { type: 'string', valueName: 'image', description: "image for the project's components (default: the project's component image)" },
  },
});

function countTasks(spec: PipelineSpec): { tasks: number; groups: number } {
  let tasks = 0;
  let groups = 0;
  for (const c of [spec.root, ...Object.values(spec.components)]) {
    for (const t of Object.values(c.dag?.tasks ?? {})) {
      const ref = spec.components[t.componentRef.name];
      if (ref?.dag) groups++;
      else tasks++;
    }
  }
  return { tasks, groups };
}

// The Python components read the closed sets (model types, metrics, ...) from this file.
writeFileSync(CLOSED_SETS_FILE, closedSetsJson());
mkdirSync(values.out, { recursive: true });
const image = values['component-image'];
for (const definition of projectPipelines(image ? { componentImage: image } : {})) {
  const started = performance.now();
  const spec = compilePipeline(definition);
  const ms = performance.now() - started;
  const base = join(values.out, definition.name);
  writeFileSync(`${base}.json`, specToJson(spec));
  writeFileSync(`${base}.yaml`, specToYaml(spec));
  const { tasks, groups } = countTasks(spec);
  log('INFO', 'compiled pipeline', { pipeline: definition.name, json: `${base}.json`, yaml: `${base}.yaml`, tasks, groups, compileMs: Number(ms.toFixed(2)) });
  if (values.summary) {
    const inputs = Object.keys(spec.root.inputDefinitions?.parameters ?? {});
    process.stdout.write(
      `\n${definition.name}: ${tasks} tasks in ${groups} control-flow groups, ${Object.keys(spec.deploymentSpec.executors).length} executors\n` +
        `  inputs: ${inputs.join(', ')}\n  written: ${base}.json, ${base}.yaml\n`,
    );
  }
}
