// The tiny functions source in test/emulators/functions/fixture, bundled by the real builder under
// the repo's dist/ (so that its imports resolve from node_modules), for tests of the functions
// runtime and of the launcher's wiring apart from what the product's functions do.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildFunctionsBundle, REPO_ROOT } from '../../emulators/functions/bundle.js';

export interface FixtureBundle {
  readonly bundleDir: string;
  remove(): void;
}

export async function buildFixtureFunctions(label: string): Promise<FixtureBundle> {
  const bundleDir = join(REPO_ROOT, 'dist', `test-functions-${label}-${process.pid}`);
  await buildFunctionsBundle({ entry: 'test/emulators/functions/fixture/index.ts', outDir: bundleDir, forbiddenFolders: ['emulators/', 'scripts/'] });
  return { bundleDir, remove: () => rmSync(bundleDir, { recursive: true, force: true }) };
}
