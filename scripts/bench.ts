// `npm run bench`: every benchmark section in turn, as structured log lines (on stderr).
import { parseCommandLineOrExit } from './cli.js';

parseCommandLineOrExit({
  command: 'npm run bench --',
  summary: 'Benchmarks: compile times, local cloud start-up, Storage and BigQuery throughput, the Vertex emulator. Figures are log lines on stderr (LOG_FORMAT=json for JSON).',
  options: {},
});
await import('./bench/compile.js');
await import('./bench/local-cloud.js');
await import('./bench/vertex.js');
await import('./bench/training.js');
