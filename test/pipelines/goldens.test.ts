// Each KFP golden (compiled by KFP's Python SDK) re-created with the TypeScript DSL must compile to
// an equal PipelineSpec under FORMAT.md's "How to compare" rules.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { compareWithGolden } from './compare-ir.js';
import { goldenDefinitions } from './golden-definitions.js';

// `shared/` lies beside the repository (`<clone>/../shared`); this file is `<clone>/test/pipelines/`.
const GOLDENS_DIR = new URL('../../../shared/reference/kfp-ir/', import.meta.url);
const TS_GOLDENS_DIR = new URL('./goldens/', import.meta.url);

function listGoldens(): string[] {
  const dir = fileURLToPath(GOLDENS_DIR);
  if (!existsSync(dir)) throw new Error(`golden folder not found: ${dir} (shared/ must sit beside the repository)`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

const goldenNames = listGoldens();

describe('KFP IR goldens', () => {
  it('has every golden re-created in TypeScript, and nothing else', () => {
    expect(goldenNames.length).toBeGreaterThanOrEqual(27);
    const tsModules = readdirSync(fileURLToPath(TS_GOLDENS_DIR))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -'.ts'.length))
      .sort();
    expect(tsModules).toEqual(goldenNames);
    expect(Object.keys(goldenDefinitions).sort()).toEqual(goldenNames);
  });

  for (const name of goldenNames) {
    it(name, () => {
      const definition = goldenDefinitions[name];
      if (!definition) throw new Error(`no TypeScript re-creation of golden '${name}' (test/pipelines/goldens/${name}.ts)`);
      const golden = readFileSync(new URL(`${name}.yaml`, GOLDENS_DIR), 'utf8');
      const diffs = compareWithGolden(compilePipeline(definition), golden);
      expect(diffs).toEqual([]);
    });
  }
});
