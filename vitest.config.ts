import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/build.ts', 'tests/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // 2 cores in CI: two test files at a time keeps DuckDB and the fake servers from starving each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
