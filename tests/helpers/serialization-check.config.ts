// Opt-in: the db/http tests with tests/helpers/serialization-check.ts (see there).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    setupFiles: ['tests/helpers/serialization-check.ts'],
    include: ['tests/server/db/**/*.test.ts', 'tests/server/http/**/*.test.ts'],
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
