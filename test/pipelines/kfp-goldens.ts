// Where KFP's original compiled goldens live: `shared/` beside the repository, which CI always
// has and a fresh clone may not. Tests that need them skip, saying why, when the folder is absent.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// This file is `<clone>/test/pipelines/`; `shared/` is `<clone>/../shared`.
export const KFP_GOLDENS_DIR = new URL('../../../shared/reference/kfp-ir/', import.meta.url);

/** Why KFP's goldens cannot be read here, or undefined when they can. */
export function kfpGoldensMissingReason(): string | undefined {
  const dir = fileURLToPath(KFP_GOLDENS_DIR);
  return existsSync(dir) ? undefined : `${dir} does not exist (../shared is not beside the repository)`;
}
