import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // 2-core CI machine: keep workers bounded.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Off-cloud: Google clients must not probe the metadata server.
    env: { METADATA_SERVER_DETECTION: 'none' },
  },
});
