// Each KFP golden re-created with the TypeScript DSL is checked twice:
// - always, against the project's own expected IR in `expected-ir/<name>.yaml` (written by this
//   compiler, reviewed once against KFP's original, kept in the repo so a fresh clone can test);
// - when `../shared/reference/kfp-ir/` sits beside the repository (CI always has it), against
//   KFP's original under FORMAT.md's "How to compare" rules. Without it that comparison is skipped,
//   and the run says so.
// `UPDATE_EXPECTED_IR=1 npx vitest run test/pipelines/goldens.test.ts` rewrites expected-ir/.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { specToYaml } from '../../pipelines/compiler/yaml.js';
import { compareWithGolden, diffJson, parseGolden } from './compare-ir.js';
import { goldenDefinitions } from './golden-definitions.js';
import { KFP_GOLDENS_DIR, kfpGoldensMissingReason } from './kfp-goldens.js';

const TS_GOLDENS_DIR = new URL('./goldens/', import.meta.url);
const EXPECTED_IR_DIR = new URL('./expected-ir/', import.meta.url);
const UPDATE = process.env.UPDATE_EXPECTED_IR === '1';

function namesIn(dir: URL, extension: string): string[] {
  return readdirSync(fileURLToPath(dir))
    .filter((f) => f.endsWith(extension))
    .map((f) => f.slice(0, -extension.length))
    .sort();
}

const goldenNames = Object.keys(goldenDefinitions).sort();

function compiledYaml(name: string): string {
  const definition = goldenDefinitions[name];
  if (!definition) throw new Error(`no TypeScript re-creation of golden '${name}'`);
  return specToYaml(compilePipeline(definition));
}

describe('KFP IR goldens: the project compiler against its expected IR', () => {
  it('has a re-creation and an expected IR file for each golden, and nothing else', () => {
    expect(goldenNames.length).toBeGreaterThanOrEqual(27);
    expect(namesIn(TS_GOLDENS_DIR, '.ts')).toEqual(goldenNames);
    if (!UPDATE) expect(namesIn(EXPECTED_IR_DIR, '.yaml')).toEqual(goldenNames);
  });

  for (const name of goldenNames) {
    it(name, () => {
      const actual = compiledYaml(name);
      const file = new URL(`${name}.yaml`, EXPECTED_IR_DIR);
      if (UPDATE) {
        mkdirSync(EXPECTED_IR_DIR, { recursive: true });
        writeFileSync(file, actual);
      }
      const expected = readFileSync(file, 'utf8');
      // Data first, for a readable difference; then the text, header and key order included.
      expect(diffJson(parseGolden(expected), parseGolden(actual))).toEqual([]);
      expect(actual).toBe(expected);
    });
  }
});

const missing = kfpGoldensMissingReason();
if (missing) {
  process.stderr.write(`goldens.test.ts: comparison with KFP's original goldens SKIPPED: ${missing}\n`);
}

describe.skipIf(missing !== undefined)("KFP IR goldens: the project compiler against KFP's originals", () => {
  it("re-creates every golden in KFP's folder, and nothing else", () => {
    expect(namesIn(KFP_GOLDENS_DIR, '.yaml')).toEqual(goldenNames);
  });

  for (const name of goldenNames) {
    it(name, () => {
      const golden = readFileSync(new URL(`${name}.yaml`, KFP_GOLDENS_DIR), 'utf8');
      const definition = goldenDefinitions[name];
      if (!definition) throw new Error(`no TypeScript re-creation of golden '${name}'`);
      expect(compareWithGolden(compilePipeline(definition), golden)).toEqual([]);
    });
  }
});

