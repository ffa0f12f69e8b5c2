// The environment a running `npm run local` wrote to `<data-dir>/env` (export NAME='value' lines,
// as envFileText writes them), for scripts that talk to that local cloud without a sourced shell.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export class LocalCloudEnvMissing extends Error {}

/** NAME → value from `<dataDir>/env`; LocalCloudEnvMissing when no local cloud wrote one there. */
export function readLocalCloudEnv(dataDir = '.local-cloud'): Record<string, string> {
  const file = join(dataDir, 'env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LocalCloudEnvMissing(`no ${file}: start the local cloud first (npm run local)`);
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)='(.*)'$/.exec(line);
    // envFileText writes a quote inside a value as '\''.
    if (m) env[m[1]!] = m[2]!.replaceAll(`'\\''`, `'`);
  }
  return env;
}
