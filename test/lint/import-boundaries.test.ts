// The lint rule behind the design note's "may import" table must refuse a forbidden import and
// accept an allowed one; linted as text standing in for a real file of each folder.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function boundaryErrors(filePath: string, importPath: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${importPath}';\nexport const y = x;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// The first lint starts TypeScript's project service: seconds on a busy 2-core machine.
describe('import boundaries', { timeout: 120_000 }, () => {
  it.each([
    ['pipelines/dsl/index.ts', '../../vertex/shared/struct.js'],
    ['pipelines/compiler/index.ts', '../../emulators/kit/server.js'],
    ['vertex/shared/struct.ts', '../../emulators/kit/server.js'],
    ['vertex/shared/struct.ts', '../../google-clients/index.js'],
    ['google-clients/index.ts', '../vertex/shared/struct.js'],
    ['emulators/kit/server.ts', '../../scripts/demo.js'],
    ['common/suggest.ts', '../logging/log.js'],
    ['control-plane/retraining/submit-training-run.ts', '../../emulators/kit/server.js'],
    ['functions/mlops-api.ts', '../vertex/shared/errors.js'],
    ['emulators/launcher/local-cloud.ts', '../../functions/index.js'],
    ['console/views/models.ts', '../../emulators/kit/server.js'],
    ['console/server.ts', '../functions/mlops-api.js'],
    ['emulators/launcher/local-cloud.ts', '../../console/server.js'],
    ['control-plane/api/models.ts', '../../console/html.js'],
  ])('%s may not import %s', async (file, target) => {
    const errors = await boundaryErrors(file, target);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/control-plane\.md §2/);
  });

  it.each([
    ['vertex/shared/struct.ts', '../../pipelines/dsl/index.js'],
    ['emulators/kit/server.ts', '../../vertex/shared/struct.js'],
    ['pipelines/compiler/index.ts', '../../common/suggest.js'],
    ['pipelines/compiler/index.ts', '../dsl/index.js'],
    ['scripts/demo.ts', '../emulators/kit/server.js'],
    ['functions/mlops-api.ts', '../control-plane/api/models.js'],
    // A subfolder named like a top-level folder is not that folder.
    ['emulators/launcher/local-cloud.ts', '../functions/runtime.js'],
    ['console/server.ts', '../google-clients/vertex.js'],
    ['scripts/report.ts', '../console/report.js'],
  ])('%s may import %s', async (file, target) => {
    expect(await boundaryErrors(file, target)).toEqual([]);
  });

  it('console/ takes from control-plane/ only types, the tuning plots and the result schema', async () => {
    const lint = async (code: string) => {
      const [result] = await eslint.lintText(code, { filePath: 'console/views/tuning.ts' });
      return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
    };
    expect(await lint(`import { getModel } from '../../control-plane/api/models.js';\nexport const y = getModel;\n`)).toEqual([expect.stringMatching(/console\/ reads only public APIs/)]);
    expect(await lint(`import type { ModelView } from '../../control-plane/api/models.js';\nexport type Y = ModelView;\n`)).toEqual([]);
    expect(await lint(`import { renderTuningPlots } from '../../control-plane/tuning/plots/render-plots.js';\nimport { TuningResult } from '../../control-plane/tuning/tuning-result.js';\nexport const y = [renderTuningPlots, TuningResult];\n`)).toEqual([]);
  });
});
