// `npm run bench`: every benchmark section in turn (or those named with --only), as structured
// log lines (on stderr).
import { parseCommandLineOrExit } from './cli.js';

const SECTIONS = {
  compile: () => import('./bench/compile.js'),
  'local-cloud': () => import('./bench/local-cloud.js'),
  vertex: () => import('./bench/vertex.js'),
  // Minutes: trains every model type on 1%, 5% and 20% of the flights data.
  training: () => import('./bench/training.js'),
  // Minutes: cold starts against a hello world, bundle size, API latency, one retraining cycle.
  functions: () => import('./bench/functions.js'),
  // About 3½ minutes: KS and RMSE comparisons over 1M logged requests in the BigQuery emulator;
  // reconcileRollouts passes and a failing canary's rollback on the local cloud.
  rollouts: async () => {
    await import('./bench/rollout-analysis.js');
    await import('./bench/rollout-reconcile.js');
  },
  // About half a minute: drift histograms over 1M logged requests × 10 features in the BigQuery
  // emulator (servingHistograms), against DuckDB directly and numpy.
  drift: () => import('./bench/drift.js'),
  // About 15 minutes: simple regret of the local Vizier's GP against random search and Optuna's TPE
  // (Branin, Hartmann6, a conditional space; 10 seeds), suggestion latency through
  // VizierServiceClient, and a 20-trial tuning job of the tuning pipeline on the local Vertex.
  tuning: () => import('./bench/tuning.js'),
  // About a minute: what recording pipeline runs in ML Metadata costs the local Vertex (recording on
  // vs off in the same run) and lineage reads through MetadataServiceClient against GetMetadataStore.
  metadata: () => import('./bench/metadata.js'),
} as const;
type Section = keyof typeof SECTIONS;
const NAMES = Object.keys(SECTIONS) as Section[];

const values = parseCommandLineOrExit({
  command: 'npm run bench --',
  summary: 'Benchmarks: compile times, local cloud start-up, Storage and BigQuery throughput, the Vertex emulator, training time and memory per model type, Cloud Functions cold starts and function-seconds. Figures are log lines on stderr (LOG_FORMAT=json for JSON).',
  options: {
    only: { type: 'string', valueName: 'sections', description: `comma-separated sections to run (${NAMES.join(', ')}); default all` },
  },
});

const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : NAMES;
const unknown = chosen.filter((s) => !NAMES.includes(s as Section));
if (unknown.length) {
  process.stderr.write(`npm run bench: unknown section '${unknown[0]!}' (sections: ${NAMES.join(', ')})\n`);
  process.exit(2);
}
for (const name of chosen as Section[]) await SECTIONS[name]();
