// `npm run build:functions`: the deployable Cloud Functions source in dist/functions (bundle,
// package.json with only the runtime dependencies, model specs, .gcloudignore, BUILD_ID).
import { relative } from 'node:path';
import { buildFunctionsBundle, FunctionsBundleError, REPO_ROOT } from '../emulators/functions/bundle.js';
import { FUNCTIONS } from '../infra/functions.js';
import { parseCommandLineOrExit } from './cli.js';

const BUILD_FUNCTIONS_COMMAND = {
  command: 'npm run build:functions --',
  summary: 'Bundle functions/index.ts for Cloud Functions (gen2, nodejs24): the source directory `gcloud functions deploy --source` uploads.',
  options: {
    'out-dir': { type: 'string', default: 'dist/functions', valueName: 'dir', description: 'where the deployable source goes' },
  },
} as const;

const values = parseCommandLineOrExit(BUILD_FUNCTIONS_COMMAND);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

try {
  const bundle = await buildFunctionsBundle({ outDir: values['out-dir'] });
  const dir = relative(process.cwd(), bundle.outDir) || '.';
  const deps = Object.entries(bundle.dependencies).map(([name, version]) => `    ${name}@${version}`);
  process.stdout.write(
    [
      `functions bundle: ${dir}/index.js ${kib(bundle.bundleBytes)} (deployed source ${kib(bundle.totalBytes)})`,
      `  BUILD_ID ${bundle.buildId}`,
      `  dependencies (${deps.length}):`,
      ...deps,
      `  model specs: ${bundle.models.length ? bundle.models.join(', ') : 'none'}`,
      `  deploy each function with:`,
      ...FUNCTIONS.map(
        (f) =>
          `    gcloud functions deploy ${f.name} --gen2 --runtime nodejs24 --region "$REGION" --source ${relative(REPO_ROOT, bundle.outDir)} --entry-point ${f.name} ` +
          // Event functions retry on failure: a thrown (transient) error makes Pub/Sub redeliver.
          (f.signatureType === 'http' ? '--trigger-http --no-allow-unauthenticated' : `--trigger-topic ${f.triggerTopic ?? '<topic>'} --retry`) +
          ` --memory ${f.memory} --timeout ${f.timeoutSeconds}s --set-env-vars MLOPS_ENVIRONMENT="$MLOPS_ENVIRONMENT",NODE_OPTIONS=--enable-source-maps`,
      ),
      '',
    ].join('\n'),
  );
} catch (err) {
  if (!(err instanceof FunctionsBundleError)) throw err;
  process.stderr.write(`build:functions: ${err.message}\n`);
  process.exit(1);
}
