// `npm run bench`: every benchmark section in turn, as structured log lines.
await import('./bench/compile.js');
await import('./bench/local-cloud.js');
await import('./bench/vertex.js');
